package io.askflow.tools;

import io.askflow.message.Source;
import java.util.List;
import java.util.Objects;

/**
 * What one tool call produced: the text the model will read and the sources it consulted. Sources
 * are unnumbered here; the executor numbers them across the whole turn.
 */
record ToolOutput(String content, List<Source> sources) {
    ToolOutput {
        Objects.requireNonNull(content, "content");
        sources = sources == null ? List.of() : List.copyOf(sources);
    }

    static ToolOutput text(String content) {
        return new ToolOutput(content, List.of());
    }
}
