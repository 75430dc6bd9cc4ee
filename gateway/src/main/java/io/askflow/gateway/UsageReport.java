package io.askflow.gateway;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.askflow.message.ModelUsage;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

/**
 * The body of {@code GET /v1/usage}: one tenant's tokens per UTC day and model, and their total.
 *
 * @param unpricedModels the models of the range that have no price (every model without a prices file)
 */
public record UsageReport(String tenantId, LocalDate from, LocalDate to, List<Day> days, Tokens total,
        List<String> unpricedModels) {

    public record Day(LocalDate day, String model, @JsonUnwrapped Tokens tokens) {
    }

    /**
     * {@code inputTokens} include {@code cachedInputTokens}, {@code outputTokens} include
     * {@code reasoningTokens}; {@code costUsd} is absent when a model has no price.
     */
    public record Tokens(long inputTokens, long cachedInputTokens, long outputTokens, long reasoningTokens, long calls,
            BigDecimal costUsd) {

        static Tokens of(ModelUsage u, BigDecimal costUsd) {
            return new Tokens(u.promptTokens(), u.cachedPromptTokens(), u.completionTokens(), u.reasoningTokens(),
                    u.calls(), costUsd);
        }
    }
}
