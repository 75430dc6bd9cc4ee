package io.askflow.message;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** PostgreSQL's text and jsonb refuse U+0000 and unpaired surrogates; everything else is kept as is. */
class StorableTextTest {

    @Test
    void storableTextIsReturnedItself() {
        String clean = "plain, with an emoji \uD83D\uDE00 and accents é";
        assertThat(StorableText.firstUnstorable(clean)).isEqualTo(-1);
        assertThat(StorableText.of(clean)).isSameAs(clean);
        assertThat(StorableText.firstUnstorable(null)).isEqualTo(-1);
    }

    @Test
    void theFirstUnstorableCharacterIsFoundWhereItIs() {
        assertThat(StorableText.firstUnstorable("abc\u0000d")).isEqualTo(3);
        assertThat(StorableText.firstUnstorable("ab\uDC00")).as("a lone low surrogate").isEqualTo(2);
        assertThat(StorableText.firstUnstorable("\uD83D\uDE00x\uD800y")).as("after a pair").isEqualTo(3);
        assertThat(StorableText.firstUnstorable("abc\uD800")).as("a high surrogate at the end").isEqualTo(3);
        assertThat(StorableText.firstUnstorable("a\uD800b")).as("a high surrogate without its low one").isEqualTo(1);
    }

    @Test
    void eachUnstorableCharacterIsReplacedAndPairsAreKept() {
        assertThat(StorableText.of("a\u0000b\uD83D\uDE00c\uDC00d\uD800")).isEqualTo("a\uFFFDb\uD83D\uDE00c\uFFFDd\uFFFD");
        assertThat(StorableText.of("\u0000\u0000")).isEqualTo("\uFFFD\uFFFD");
        assertThat(StorableText.of("\uD800\uD83D\uDE00")).isEqualTo("\uFFFD\uD83D\uDE00");
    }

    @Test
    void theCallerIsToldWhichCharacterToRemove() {
        assertThat(StorableText.describe('\u0000')).isEqualTo("U+0000 (NUL)");
        assertThat(StorableText.describe('\uD800')).isEqualTo("an unpaired surrogate U+D800");
    }
}
