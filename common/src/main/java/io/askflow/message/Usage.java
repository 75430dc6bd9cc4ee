package io.askflow.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tokens spent on a turn, summed over all of its model calls: every tool round, and the summary
 * the context-builder had written for it.
 *
 * <p>The first three components are the wire's since version 1. The others were added later and
 * are written only when set, so a turn's usage from before reads and writes back unchanged:
 * {@code cachedPromptTokens} (part of {@code promptTokens}) and {@code reasoningTokens} (part of
 * {@code completionTokens}) where the API reports them, {@code calls} made, and {@code byModel}
 * the same per model, as the API named it (a summary may be written by another model than the answer).
 */
public record Usage(long promptTokens, long completionTokens, long totalTokens,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long cachedPromptTokens,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long reasoningTokens,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long calls,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, ModelUsage> byModel) {

    public static final Usage ZERO = new Usage(0, 0, 0);

    public Usage {
        byModel = byModel == null ? Map.of() : Map.copyOf(byModel);
    }

    /** Totals only, as version 1 wrote them. */
    public Usage(long promptTokens, long completionTokens, long totalTokens) {
        this(promptTokens, completionTokens, totalTokens, 0, 0, 0, Map.of());
    }

    /** One model call, as the API reported it. */
    public static Usage ofCall(String model, long promptTokens, long cachedPromptTokens, long completionTokens,
            long reasoningTokens, long totalTokens) {
        return new Usage(promptTokens, completionTokens, totalTokens, cachedPromptTokens, reasoningTokens, 1,
                Map.of(model == null ? "unknown" : model,
                        new ModelUsage(promptTokens, cachedPromptTokens, completionTokens, reasoningTokens, 1)));
    }

    public Usage plus(Usage other) {
        if (other == null) {
            return this;
        }
        Map<String, ModelUsage> models = new HashMap<>(byModel);
        other.byModel.forEach((m, u) -> models.merge(m, u, ModelUsage::plus));
        return new Usage(promptTokens + other.promptTokens, completionTokens + other.completionTokens,
                totalTokens + other.totalTokens, cachedPromptTokens + other.cachedPromptTokens,
                reasoningTokens + other.reasoningTokens, calls + other.calls, models);
    }

    /**
     * Per model, sorted by name. Tokens not in {@code byModel} (a turn that began before askflow
     * recorded models) are put to {@code fallbackModel}, so no token goes uncounted.
     */
    public Map<String, ModelUsage> perModel(String fallbackModel) {
        Map<String, ModelUsage> out = new TreeMap<>(byModel);
        ModelUsage listed = byModel.values().stream().reduce(ModelUsage.ZERO, ModelUsage::plus);
        ModelUsage rest = new ModelUsage(Math.max(0, promptTokens - listed.promptTokens()),
                Math.max(0, cachedPromptTokens - listed.cachedPromptTokens()),
                Math.max(0, completionTokens - listed.completionTokens()),
                Math.max(0, reasoningTokens - listed.reasoningTokens()), Math.max(0, calls - listed.calls()));
        if (!rest.equals(ModelUsage.ZERO)) {
            out.merge(fallbackModel == null ? "unknown" : fallbackModel, rest, ModelUsage::plus);
        }
        return out;
    }
}
