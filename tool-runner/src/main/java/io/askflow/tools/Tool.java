package io.askflow.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.message.ToolSpec;

/**
 * One tool the model may call. {@code run} receives arguments already validated against
 * {@link #spec()}; a {@link ToolException} becomes an error result the model reads, anything else
 * is reported to the model as an unexpected failure.
 */
interface Tool {
    ToolSpec spec();

    ToolOutput run(JsonNode arguments, ToolContext ctx) throws Exception;

    default String name() {
        return spec().name();
    }
}
