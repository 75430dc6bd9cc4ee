package io.askflow.tools.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askflow.message.Json;
import io.askflow.message.ToolSpec;
import io.askflow.tool.BuiltinTools;
import org.junit.jupiter.api.Test;

class ArgumentValidatorTest {
    private static final ToolSpec RICH = new ToolSpec("rich", "test tool", Json.tree("""
            {"type":"object","properties":{
              "q":{"type":"string"},
              "n":{"type":"integer"},
              "x":{"type":"number"},
              "on":{"type":"boolean"},
              "unit":{"type":"string","enum":["c","f"]}},
             "required":["q"],"additionalProperties":false}"""));

    @Test
    void validArgumentsPass() throws Exception {
        assertThat(ArgumentValidator.parse(BuiltinTools.FETCH_URL, "{\"url\":\"https://example.com\"}").get("url").asText())
                .isEqualTo("https://example.com");
        assertThat(ArgumentValidator.parse(RICH, "{\"q\":\"a\",\"n\":3,\"x\":1.5,\"on\":true,\"unit\":\"f\"}")).hasSize(5);
        assertThat(ArgumentValidator.parse(RICH, "{\"q\":\"a\",\"n\":3.0}").get("n").asInt()).isEqualTo(3);
    }

    @Test
    void emptyArgumentTextMeansNoArguments() throws Exception {
        assertThat(ArgumentValidator.parse(BuiltinTools.CURRENT_TIME, "")).isEmpty();
        assertThat(ArgumentValidator.parse(BuiltinTools.CURRENT_TIME, "  ")).isEmpty();
        assertThat(ArgumentValidator.parse(BuiltinTools.CURRENT_TIME, "{}")).isEmpty();
    }

    @Test
    void nullOptionalPropertyIsTreatedAsAbsent() throws Exception {
        assertThat(ArgumentValidator.parse(BuiltinTools.CURRENT_TIME, "{\"time_zone\":null}")).isEmpty();
    }

    @Test
    void missingRequiredProperty() {
        assertThatThrownBy(() -> ArgumentValidator.parse(BuiltinTools.FETCH_URL, "{}"))
                .isInstanceOf(ToolException.class)
                .hasMessage("invalid arguments for fetch_url: missing required property \"url\"");
        assertThatThrownBy(() -> ArgumentValidator.parse(BuiltinTools.FETCH_URL, "{\"url\":null}"))
                .hasMessage("invalid arguments for fetch_url: missing required property \"url\"");
    }

    @Test
    void invalidJsonAndNonObjects() {
        assertThatThrownBy(() -> ArgumentValidator.parse(BuiltinTools.FETCH_URL, "{\"url\": "))
                .isInstanceOf(ToolException.class)
                .hasMessageStartingWith("invalid arguments for fetch_url: not valid JSON");
        assertThatThrownBy(() -> ArgumentValidator.parse(BuiltinTools.FETCH_URL, "[\"https://example.com\"]"))
                .hasMessage("invalid arguments for fetch_url: arguments must be a JSON object, got an array");
        assertThatThrownBy(() -> ArgumentValidator.parse(BuiltinTools.FETCH_URL, "\"https://example.com\""))
                .hasMessage("invalid arguments for fetch_url: arguments must be a JSON object, got a string");
    }

    @Test
    void unknownPropertyRefusedWhenAdditionalPropertiesIsFalse() {
        assertThatThrownBy(() -> ArgumentValidator.parse(BuiltinTools.FETCH_URL, "{\"url\":\"https://e.com\",\"depth\":2}"))
                .hasMessage("invalid arguments for fetch_url: unknown property \"depth\" (allowed: \"url\")");
    }

    @Test
    void wrongTypesAndEnumValues() {
        assertThatThrownBy(() -> ArgumentValidator.parse(BuiltinTools.FETCH_URL, "{\"url\":42}"))
                .hasMessage("invalid arguments for fetch_url: property \"url\" must be a string, got a number");
        assertThatThrownBy(() -> ArgumentValidator.parse(RICH, "{\"q\":\"a\",\"n\":1.5}"))
                .hasMessageContaining("property \"n\" must be an integer, got a number");
        assertThatThrownBy(() -> ArgumentValidator.parse(RICH, "{\"q\":\"a\",\"x\":\"1\"}"))
                .hasMessageContaining("property \"x\" must be a number, got a string");
        assertThatThrownBy(() -> ArgumentValidator.parse(RICH, "{\"q\":\"a\",\"on\":\"yes\"}"))
                .hasMessageContaining("property \"on\" must be a boolean, got a string");
        assertThatThrownBy(() -> ArgumentValidator.parse(RICH, "{\"q\":\"a\",\"unit\":\"k\"}"))
                .hasMessageContaining("property \"unit\" must be one of [\"c\",\"f\"], got \"k\"");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> ArgumentValidator.parse(RICH, "{\"n\":\"x\",\"extra\":1}"))
                .hasMessageContaining("missing required property \"q\"")
                .hasMessageContaining("property \"n\" must be an integer")
                .hasMessageContaining("unknown property \"extra\"");
    }
}
