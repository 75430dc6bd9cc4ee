package io.askflow.knowledge;

import io.askflow.db.Jdbc;
import io.askflow.message.ModelUsage;
import io.askflow.message.Usage;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What each tenant's turns spent, per UTC day and model. A turn is counted once, from the usage
 * its answer carries (every model call of the turn, its summary included), in the transaction of
 * whoever records it, so a redelivered answer changes nothing.
 */
public final class UsageLedger {
    /** One tenant's tokens of one day and model; {@code inputTokens} include the cached ones. */
    public record Day(LocalDate day, String model, ModelUsage usage) {
    }

    private final DataSource db;

    public UsageLedger(DataSource db) {
        this.db = db;
    }

    /**
     * Adds a turn's usage on {@code c}, in the caller's transaction, unless that turn was counted
     * before. Models are written in name order, so two turns of a tenant never deadlock on the rows.
     *
     * @param fallbackModel the model tokens not attributed to a model are counted under (see {@link Usage#perModel})
     * @return whether anything was added
     */
    public boolean record(Connection c, String tenantId, String requestId, LocalDate day, Usage usage,
            String fallbackModel) throws SQLException {
        Map<String, ModelUsage> models = usage.perModel(fallbackModel);
        if (models.isEmpty()) {
            return false;
        }
        if (Jdbc.update(c, """
                INSERT INTO knowledge_usage_turns (tenant_id, request_id) VALUES (?, ?) ON CONFLICT DO NOTHING""",
                tenantId, requestId) == 0) {
            return false;
        }
        Jdbc.batch(c, """
                INSERT INTO knowledge_usage_daily AS d (tenant_id, day, model, input_tokens, cached_input_tokens,
                    output_tokens, reasoning_tokens, calls)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, day, model) DO UPDATE SET
                    input_tokens = d.input_tokens + EXCLUDED.input_tokens,
                    cached_input_tokens = d.cached_input_tokens + EXCLUDED.cached_input_tokens,
                    output_tokens = d.output_tokens + EXCLUDED.output_tokens,
                    reasoning_tokens = d.reasoning_tokens + EXCLUDED.reasoning_tokens,
                    calls = d.calls + EXCLUDED.calls""", models.entrySet(), e -> new Object[] {
                        tenantId, day, e.getKey(), e.getValue().promptTokens(), e.getValue().cachedPromptTokens(),
                        e.getValue().completionTokens(), e.getValue().reasoningTokens(), e.getValue().calls()});
        return true;
    }

    /** The tenant's days from {@code from} to {@code to}, both included, by day and model. */
    public List<Day> between(String tenantId, LocalDate from, LocalDate to) throws SQLException {
        return Jdbc.query(db, """
                SELECT day, model, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, calls
                FROM knowledge_usage_daily WHERE tenant_id = ? AND day BETWEEN ? AND ? ORDER BY day, model""",
                rs -> new Day(rs.getObject(1, LocalDate.class), rs.getString(2),
                        new ModelUsage(rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7))),
                tenantId, from, to);
    }

    /** Input plus output tokens of the tenant's turns from {@code from} on. */
    public long tokensSince(String tenantId, LocalDate from) throws SQLException {
        return Jdbc.queryFirst(db, """
                SELECT COALESCE(SUM(input_tokens + output_tokens), 0) FROM knowledge_usage_daily
                WHERE tenant_id = ? AND day >= ?""", rs -> rs.getLong(1), tenantId, from).orElseThrow();
    }
}
