package io.askflow.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
    private static PromptRequest read(String json) {
        return Json.read(json.getBytes(StandardCharsets.UTF_8), PromptRequest.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"prompt\":42}", "{\"prompt\":4.2}", "{\"prompt\":true}", "{\"prompt\":{\"a\":1}}", "{\"prompt\":[\"a\"]}",
        "{\"metadata\":{\"k\":1}}", "{\"metadata\":[]}", "{\"schemaVersion\":\"1\"}", "{\"schemaVersion\":1.5}",
        "{\"deadline\":4102444800}", "{\"deadline\":true}"})
    void noValueIsCoercedToAnotherType(String json) {
        assertThatThrownBy(() -> read(json)).isInstanceOf(MessageFormatException.class);
    }

    @Test
    void valuesOfTheirOwnTypeAreRead() {
        PromptRequest r = read("{\"schemaVersion\":1,\"prompt\":\"hi\",\"deadline\":\"2030-01-01T00:00:00Z\",\"metadata\":{\"k\":\"v\"}}");
        assertThat(r.prompt()).isEqualTo("hi");
        assertThat(r.deadline()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(r.metadata()).containsEntry("k", "v");
        assertThat(read("{\"prompt\":null}").prompt()).isNull();
    }

    @Test
    void unstorableCharactersAreReplacedWhenReadAndWhenWritten() {
        PromptRequest r = read("{\"prompt\":\"a\\u0000b\\ud800c\\ud83d\\ude00\",\"metadata\":{\"k\\u0000\":\"v\\u0000\"}}");
        assertThat(r.prompt()).isEqualTo("a\uFFFDb\uFFFDc\uD83D\uDE00");
        assertThat(r.metadata()).containsEntry("k\uFFFD", "v\uFFFD");
        String written = Json.writeString(new PromptRequest(1, "r", null, null, null, "x\u0000y\uDC00",
                null, null, null, Map.of("m", "\u0000")));
        assertThat(written).doesNotContain("\\u0000").contains("x\uFFFDy\uFFFD").contains("\"m\":\"\uFFFD\"");
        assertThat(new String(Json.write(java.util.List.of("\u0000")), StandardCharsets.UTF_8)).isEqualTo("[\"\uFFFD\"]");
    }

    @Test
    void treesAreStorableTooUnlessAskedForAsSent() {
        String toolArguments = "{\"fact\":\"a\\u0000b\"}"; // JSON text inside JSON: its escapes decode only here
        assertThat(Json.tree(toolArguments).path("fact").asText()).isEqualTo("a\uFFFDb");
        assertThat(Json.treeAsSent(toolArguments.getBytes(StandardCharsets.UTF_8)).path("fact").asText()).isEqualTo("a\u0000b");
    }
}
