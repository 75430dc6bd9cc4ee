package io.askflow.context;

import io.askflow.db.Jdbc;
import io.askflow.message.Json;
import io.askflow.message.Turn;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Erases what the context-builder stores of a conversation up to a gateway sequence: its turns,
 * their history and the conversation's summary. Runs inside {@link TurnQueue}'s transaction that
 * holds the conversation's lock, so no turn starts or finishes half-way through an erasure.
 */
final class Eraser {
    /**
     * @param through the last sequence to erase; null erases every turn held (a deletion that did
     *     not say how far, which the gateway never sends)
     * @return the erased turns that were still queued: they never reached the model, so nothing
     *     else will answer them
     */
    List<Turn> eraseThrough(Connection c, String tenantId, String conversationId, Long through, String cause)
            throws SQLException {
        long last = through != null ? through : highestHeld(c, tenantId, conversationId);
        List<Turn> queued = Jdbc.query(c, """
                SELECT turn::text FROM cb_conversation_turns
                WHERE tenant_id = ? AND conversation_id = ? AND sequence <= ? AND status = 'queued' ORDER BY sequence""",
                rs -> skeleton(TurnQueue.turn(rs.getString(1))), tenantId, conversationId, last);
        Jdbc.batch(c, """
                UPDATE cb_conversation_turns SET status = 'erased', user_id = '', turn = ?::jsonb, started_by = ?,
                    updated_at = now() WHERE request_id = ?""",
                queued, t -> new Object[] {Json.writeString(t), cause, t.requestId()});
        // Messages first, then the summary: a summary being saved holds a lock on the last message it
        // covers (Summaries.save), so it is either saved before, and deleted here, or finds its messages gone.
        Jdbc.update(c, """
                DELETE FROM cb_messages m WHERE m.tenant_id = ? AND m.conversation_id = ? AND NOT EXISTS (
                    SELECT 1 FROM cb_conversation_turns t WHERE t.request_id = m.request_id AND t.sequence > ?)""",
                tenantId, conversationId, last);
        Jdbc.update(c, "DELETE FROM cb_conversation_turns WHERE tenant_id = ? AND conversation_id = ? AND sequence <= ? "
                + "AND status <> 'erased'", tenantId, conversationId, last);
        Jdbc.update(c, "DELETE FROM cb_summaries WHERE tenant_id = ? AND conversation_id = ?", tenantId, conversationId);
        Jdbc.update(c, """
                UPDATE cb_conversations SET erased_through = GREATEST(erased_through, ?),
                    next_sequence = GREATEST(next_sequence, ? + 1)
                WHERE tenant_id = ? AND conversation_id = ?""", last, last, tenantId, conversationId);
        return queued;
    }

    /** What an answer to an erased turn needs, and nothing the deletion was meant to erase. */
    private static Turn skeleton(Turn t) {
        return Turn.builder().envelope(t.envelope().toBuilder().userId("").build()).prompt("").acceptedAt(t.acceptedAt())
                .sequence(t.sequence()).build();
    }

    private static long highestHeld(Connection c, String tenantId, String conversationId) throws SQLException {
        return Jdbc.queryFirst(c, """
                SELECT GREATEST((SELECT max(sequence) FROM cb_conversation_turns WHERE tenant_id = ? AND conversation_id = ?),
                    (SELECT next_sequence - 1 FROM cb_conversations WHERE tenant_id = ? AND conversation_id = ?), 0)""",
                rs -> rs.getLong(1), tenantId, conversationId, tenantId, conversationId).orElseThrow();
    }
}
