package io.askflow.knowledge;

import java.util.List;
import java.util.Objects;

/**
 * A tenant's own configuration. Null fields fall back to the global settings.
 *
 * @param apiKeySha256 hex SHA-256 digests of the tenant's API keys; keys themselves are never stored
 * @param allowedTools the tools the tenant's turns may use; null for every tool
 * @param tokenBudget the tenant's context token budget; null for {@code ASKFLOW_CONTEXT_TOKENS}
 * @param monthlyTokenBudget most tokens (input plus output, all models) the tenant's turns may spend
 *     per calendar month (UTC); a turn that starts when they are spent ends with {@code budget_exceeded}
 *     before any model call. Null: no limit.
 */
public record Tenant(String id, List<String> apiKeySha256, String instructions, String safetyRules,
        List<String> allowedTools, String defaultModel, Integer tokenBudget, Long monthlyTokenBudget) {

    public Tenant {
        Objects.requireNonNull(id, "id");
        apiKeySha256 = apiKeySha256 == null ? List.of() : List.copyOf(apiKeySha256);
        allowedTools = allowedTools == null ? null : List.copyOf(allowedTools);
        if (monthlyTokenBudget != null && monthlyTokenBudget < 0) {
            throw new IllegalArgumentException("Tenant " + id + ": monthlyTokenBudget must not be negative");
        }
    }

    /** A tenant with nothing of its own: global instructions, every tool, the global budget. */
    public static Tenant plain(String id) {
        return new Tenant(id, List.of(), null, null, null, null, null, null);
    }

    public boolean mayUse(String tool) {
        return allowedTools == null || allowedTools.contains(tool);
    }
}
