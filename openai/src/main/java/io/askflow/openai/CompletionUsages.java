package io.askflow.openai;

import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.completions.CompletionUsage;
import io.askflow.message.Usage;
import java.util.Optional;

/** What one chat completion cost, as askflow records it: the model-caller's calls and the context-builder's summaries alike. */
public final class CompletionUsages {
    private CompletionUsages() {
    }

    /**
     * Cached and reasoning tokens where the API reports them (0 otherwise). A completion without
     * usage still counts as a call.
     *
     * @param requestedModel named when the API names no model
     */
    public static Usage of(ChatCompletion completion, String requestedModel) {
        return of(completion.usage(), completion.model(), requestedModel);
    }

    /** The same for a streamed completion, whose usage comes on its last chunk (stream_options.include_usage). */
    public static Usage of(Optional<CompletionUsage> usage, String reportedModel, String requestedModel) {
        String model = reportedModel == null || reportedModel.isBlank() ? requestedModel : reportedModel;
        return usage
                .map((CompletionUsage u) -> Usage.ofCall(model, u.promptTokens(),
                        u.promptTokensDetails().flatMap(CompletionUsage.PromptTokensDetails::cachedTokens).orElse(0L),
                        u.completionTokens(),
                        u.completionTokensDetails().flatMap(CompletionUsage.CompletionTokensDetails::reasoningTokens)
                                .orElse(0L),
                        u.totalTokens()))
                .orElseGet(() -> Usage.ofCall(model, 0, 0, 0, 0, 0));
    }
}
