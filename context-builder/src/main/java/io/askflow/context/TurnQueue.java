package io.askflow.context;

import io.askflow.message.Answer;
import io.askflow.message.Json;
import io.askflow.message.Turn;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * One turn at a time per conversation, durably. A turn is queued when it arrives; it runs when no
 * other turn of its conversation is running and every turn the gateway accepted before it has run;
 * it is done when its answer (ok or error) arrives, and that answer's handling starts the next one.
 * All state is in PostgreSQL, so a restart loses nothing: queued turns are started by the answers
 * still to come, and a redelivered record re-publishes the turn it started.
 *
 * <p>Each step runs in one transaction holding the conversation's row lock, so two instances never
 * start two turns of one conversation; different conversations never wait for each other.
 */
final class TurnQueue {
    private final DataSource db;
    private final History history;
    private final Clock clock;

    TurnQueue(DataSource db, History history, Clock clock) {
        this.db = db;
        this.history = history;
        this.clock = clock;
    }

    /** Queues an arriving turn; returns the turn to start now, if any (usually this one). */
    /**
     * @param source the record that brought the turn: its redelivery publishes the started turn
     *     again, while a copy of the turn from another record (the gateway's outbox re-publishing a
     *     turn whose first publish it could not confirm) changes nothing
     */
    Optional<Turn> arrive(Turn turn, String source) throws SQLException {
        String cause = "turn:" + source;
        return inConversation(turn.tenantId(), turn.conversationId(), c -> {
            try (PreparedStatement ins = c.prepareStatement("""
                    INSERT INTO cb_conversation_turns (request_id, tenant_id, conversation_id, user_id, sequence, status, turn)
                    VALUES (?, ?, ?, ?, ?, 'queued', ?::jsonb) ON CONFLICT (tenant_id, request_id) DO NOTHING""")) {
                ins.setString(1, turn.requestId());
                ins.setString(2, turn.tenantId());
                ins.setString(3, turn.conversationId());
                ins.setString(4, turn.userId());
                ins.setLong(5, turn.sequence());
                ins.setString(6, Json.writeString(turn));
                if (ins.executeUpdate() == 0) {
                    return startedBy(c, turn.tenantId(), turn.conversationId(), cause); // a redelivery
                }
            }
            return startNext(c, turn.tenantId(), turn.conversationId(), cause);
        });
    }

    /**
     * Marks the answered turn done (storing an ok answer in history in the same transaction) and
     * returns the conversation's next turn to start, if any. Call it only with a pipeline's answer
     * for a turn ({@link io.askflow.kafka.TurnAnswer}); it finishes only the running turn of that
     * tenant, conversation and request id: a queued turn has no model call out, so no answer can be its.
     */
    Optional<Turn> finish(Answer answer) throws SQLException {
        return finish(answer, true);
    }

    /**
     * @param withHistory false when storing the answer in history failed: the turn is still marked
     *     done, so the conversation goes on without that answer in its history instead of waiting forever
     */
    Optional<Turn> finish(Answer answer, boolean withHistory) throws SQLException {
        if (answer.tenantId() == null || answer.conversationId() == null || answer.requestId() == null) {
            return Optional.empty();
        }
        String cause = "answer:" + answer.requestId();
        return inConversation(answer.tenantId(), answer.conversationId(), c -> {
            try (PreparedStatement done = c.prepareStatement("""
                    UPDATE cb_conversation_turns SET status = 'done', updated_at = now()
                    WHERE tenant_id = ? AND request_id = ? AND conversation_id = ? AND status = 'running'""")) {
                done.setString(1, answer.tenantId());
                done.setString(2, answer.requestId());
                done.setString(3, answer.conversationId());
                if (done.executeUpdate() == 1 && answer.isOk() && withHistory) {
                    history.recordAnswer(c, answer, clock.instant());
                }
            }
            Optional<Turn> again = startedBy(c, answer.tenantId(), answer.conversationId(), cause);
            return again.isPresent() ? again : startNext(c, answer.tenantId(), answer.conversationId(), cause);
        });
    }

    /** The running turn a record started before, so its redelivery publishes the same model call again. */
    private static Optional<Turn> startedBy(Connection c, String tenantId, String conversationId, String cause)
            throws SQLException {
        try (PreparedStatement q = c.prepareStatement("""
                SELECT turn::text FROM cb_conversation_turns
                WHERE tenant_id = ? AND conversation_id = ? AND status = 'running' AND started_by = ?""")) {
            q.setString(1, tenantId);
            q.setString(2, conversationId);
            q.setString(3, cause);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(turn(rs.getString(1))) : Optional.empty();
            }
        }
    }

    private static Optional<Turn> startNext(Connection c, String tenantId, String conversationId, String cause)
            throws SQLException {
        try (PreparedStatement running = c.prepareStatement("""
                SELECT 1 FROM cb_conversation_turns
                WHERE tenant_id = ? AND conversation_id = ? AND status = 'running' LIMIT 1""")) {
            running.setString(1, tenantId);
            running.setString(2, conversationId);
            try (ResultSet rs = running.executeQuery()) {
                if (rs.next()) {
                    return Optional.empty();
                }
            }
        }
        String requestId;
        long sequence;
        Turn next;
        try (PreparedStatement oldest = c.prepareStatement("""
                SELECT t.request_id, t.sequence, t.turn::text, v.next_sequence
                FROM cb_conversation_turns t JOIN cb_conversations v USING (tenant_id, conversation_id)
                WHERE t.tenant_id = ? AND t.conversation_id = ? AND t.status = 'queued'
                ORDER BY t.sequence, t.arrival LIMIT 1""")) {
            oldest.setString(1, tenantId);
            oldest.setString(2, conversationId);
            try (ResultSet rs = oldest.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                requestId = rs.getString(1);
                sequence = rs.getLong(2);
                next = turn(rs.getString(3));
                // A turn whose predecessor has not arrived yet waits for it (0: a turn with no sequence).
                if (sequence > rs.getLong(4)) {
                    return Optional.empty();
                }
            }
        }
        try (PreparedStatement start = c.prepareStatement("""
                UPDATE cb_conversation_turns SET status = 'running', started_by = ?, updated_at = now()
                WHERE tenant_id = ? AND request_id = ?""")) {
            start.setString(1, cause);
            start.setString(2, tenantId);
            start.setString(3, requestId);
            start.executeUpdate();
        }
        try (PreparedStatement advance = c.prepareStatement("""
                UPDATE cb_conversations SET next_sequence = GREATEST(next_sequence, ?)
                WHERE tenant_id = ? AND conversation_id = ?""")) {
            advance.setLong(1, sequence + 1);
            advance.setString(2, tenantId);
            advance.setString(3, conversationId);
            advance.executeUpdate();
        }
        return Optional.of(next);
    }

    private interface Step {
        Optional<Turn> run(Connection c) throws SQLException;
    }

    /** Runs a step in one transaction holding the conversation's row lock. */
    private Optional<Turn> inConversation(String tenantId, String conversationId, Step step) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ensure = c.prepareStatement("""
                        INSERT INTO cb_conversations (tenant_id, conversation_id) VALUES (?, ?)
                        ON CONFLICT DO NOTHING""");
                        PreparedStatement lock = c.prepareStatement("""
                        SELECT next_sequence FROM cb_conversations
                        WHERE tenant_id = ? AND conversation_id = ? FOR UPDATE""")) {
                    ensure.setString(1, tenantId);
                    ensure.setString(2, conversationId);
                    ensure.executeUpdate();
                    lock.setString(1, tenantId);
                    lock.setString(2, conversationId);
                    lock.executeQuery().close();
                }
                Optional<Turn> result = step.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private static Turn turn(String json) {
        return Json.read(json.getBytes(StandardCharsets.UTF_8), Turn.class);
    }
}
