package io.askflow.message;

/** Tokens spent on a turn, summed over all of its model calls. */
public record Usage(long promptTokens, long completionTokens, long totalTokens) {
    public static final Usage ZERO = new Usage(0, 0, 0);

    public Usage plus(Usage other) {
        if (other == null) {
            return this;
        }
        return new Usage(promptTokens + other.promptTokens, completionTokens + other.completionTokens,
                totalTokens + other.totalTokens);
    }
}
