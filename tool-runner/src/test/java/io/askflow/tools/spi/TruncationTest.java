package io.askflow.tools.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TruncationTest {

    @Test
    void shortTextIsUnchanged() {
        assertThat(Truncation.truncate("hello", 5)).isEqualTo("hello");
    }

    @Test
    void longTextIsCutToTheBudgetIncludingTheMarker() {
        String text = "a".repeat(10_000);
        String cut = Truncation.truncate(text, 1000);
        assertThat(cut).hasSizeLessThanOrEqualTo(1000);
        int kept = cut.indexOf('\n');
        assertThat(cut.substring(kept)).isEqualTo("\n[truncated: " + (10_000 - kept) + " more characters]");
    }

    @Test
    void surrogatePairsAreNotSplit() {
        String text = "\uD83D\uDE00".repeat(100);
        String cut = Truncation.truncate(text, 60);
        String kept = cut.substring(0, cut.indexOf('\n'));
        assertThat(kept.length() % 2).isZero();
        assertThat(Character.isHighSurrogate(kept.charAt(kept.length() - 1))).isFalse();
    }
}
