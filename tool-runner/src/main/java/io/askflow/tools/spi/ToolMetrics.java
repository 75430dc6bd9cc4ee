package io.askflow.tools.spi;

/** What the executor reports about each tool call, for monitoring; {@link #NONE} reports nothing. */
@FunctionalInterface
public interface ToolMetrics {
    ToolMetrics NONE = (tool, outcome, nanos) -> { };

    /**
     * @param tool the tool's name, or {@code unknown} for a name no tool has (the model may invent any)
     * @param outcome ok, refused (not run: a budget, not offered, arguments invalid), error or timeout
     * @param nanos from the start of the round to the call's result
     */
    void called(String tool, String outcome, long nanos);
}
