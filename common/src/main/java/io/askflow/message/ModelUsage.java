package io.askflow.message;

/**
 * What the calls to one model cost a turn. {@code promptTokens} includes the {@code cachedPromptTokens}
 * the API read from its prompt cache, and {@code completionTokens} the {@code reasoningTokens}, as
 * the API reports them; both details are 0 where the API does not report them.
 */
public record ModelUsage(long promptTokens, long cachedPromptTokens, long completionTokens, long reasoningTokens,
        long calls) {

    public static final ModelUsage ZERO = new ModelUsage(0, 0, 0, 0, 0);

    public ModelUsage plus(ModelUsage other) {
        return new ModelUsage(promptTokens + other.promptTokens, cachedPromptTokens + other.cachedPromptTokens,
                completionTokens + other.completionTokens, reasoningTokens + other.reasoningTokens, calls + other.calls);
    }

    public long totalTokens() {
        return promptTokens + completionTokens;
    }
}
