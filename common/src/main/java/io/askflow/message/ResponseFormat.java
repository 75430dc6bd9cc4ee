package io.askflow.message;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A structured-output contract for the model's answer: the answer must be JSON matching
 * {@code schema}. Batch jobs use it for "extract these fields"; the model-caller passes it to the
 * API as a {@code json_schema} response format.
 *
 * @param name a short identifier of the schema, as the API requires one
 */
public record ResponseFormat(String name, JsonNode schema) {
    public ResponseFormat {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(schema, "schema");
    }
}
