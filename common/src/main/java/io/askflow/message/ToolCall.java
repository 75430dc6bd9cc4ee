package io.askflow.message;

import java.util.Objects;

/** A tool invocation the model asked for; {@code arguments} is the model's JSON text, unvalidated. */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        arguments = arguments == null ? "{}" : arguments;
    }
}
