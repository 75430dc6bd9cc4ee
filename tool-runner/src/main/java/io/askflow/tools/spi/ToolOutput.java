package io.askflow.tools.spi;

import io.askflow.message.Source;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * What one tool call produced: the sources it consulted, and its text for the model. Sources are
 * numbered across the whole turn only after every call of the round has finished, so the text is
 * rendered then, from the numbers its sources got; that is how a result can say "Source [3]".
 */
public record ToolOutput(List<Source> sources, Citing text) {

    /** Renders the text given the turn-wide number of each of {@link #sources()}, in the same order. */
    @FunctionalInterface
    public interface Citing {
        String render(List<Integer> numbers);
    }

    public ToolOutput {
        sources = sources == null ? List.of() : List.copyOf(sources);
        Objects.requireNonNull(text, "text");
    }

    /** Text that does not cite its sources by number. */
    public ToolOutput(String content, List<Source> sources) {
        this(sources, numbers -> Objects.requireNonNull(content, "content"));
    }

    public static ToolOutput text(String content) {
        return new ToolOutput(content, List.of());
    }

    /** The text as if its sources were the turn's first: numbered 1..n. */
    public String content() {
        return content(IntStream.rangeClosed(1, sources.size()).boxed().toList());
    }

    public String content(List<Integer> numbers) {
        if (numbers.size() != sources.size()) {
            throw new IllegalArgumentException("one number per source expected");
        }
        return text.render(List.copyOf(numbers));
    }
}
