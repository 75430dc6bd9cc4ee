package io.askflow.context;

import io.askflow.db.Jdbc;
import io.askflow.knowledge.UsageLedger;
import io.askflow.message.Answer;
import io.askflow.message.Json;
import io.askflow.message.Turn;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
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
    /**
     * What a step leads to: the turn to start now, if any, and the turns a deletion erased that
     * nothing will answer otherwise (they never reached the model), which must be answered so that
     * no caller waits for them.
     */
    record Outcome(Optional<Turn> start, List<Turn> erased) {
        static Outcome of(Optional<Turn> start) {
            return new Outcome(start, List.of());
        }
    }

    private final DataSource db;
    private final History history;
    private final Eraser eraser;
    private final UsageLedger ledger;
    private final Clock clock;

    TurnQueue(DataSource db, History history, Clock clock) {
        this.db = db;
        this.history = history;
        this.eraser = new Eraser();
        this.ledger = new UsageLedger(db);
        this.clock = clock;
    }

    /**
     * Queues an arriving turn; returns the turn to start now, if any (usually this one). A turn the
     * gateway numbered before a deletion of its conversation that arrives after the deletion was
     * carried out is not queued: it comes back as erased.
     *
     * @param source the record that brought the turn: its redelivery publishes the started turn
     *     again, while a copy of the turn from another record (the gateway's outbox re-publishing a
     *     turn whose first publish it could not confirm) changes nothing
     */
    Outcome arrive(Turn turn, String source) throws SQLException {
        String cause = "turn:" + source;
        return inConversation(turn.tenantId(), turn.conversationId(), (c, erasedThrough) -> {
            if (turn.sequence() > 0 && turn.sequence() <= erasedThrough) {
                // Unless the deletion found it queued and answered it already (this is a redelivery).
                return new Outcome(Optional.empty(), answeredByDeletion(c, turn) ? List.of() : List.of(turn));
            }
            if (Jdbc.update(c, """
                    INSERT INTO cb_conversation_turns (request_id, tenant_id, conversation_id, user_id, sequence, status, turn)
                    VALUES (?, ?, ?, ?, ?, 'queued', ?::jsonb) ON CONFLICT (tenant_id, request_id) DO NOTHING""",
                    turn.requestId(), turn.tenantId(), turn.conversationId(), turn.userId(), turn.sequence(),
                    Json.writeString(turn)) == 0) {
                return Outcome.of(startedBy(c, turn.tenantId(), turn.conversationId(), cause)); // a redelivery
            }
            return Outcome.of(startNext(c, turn.tenantId(), turn.conversationId(), cause));
        });
    }

    /**
     * Carries out a deletion of one conversation: erases every turn the gateway numbered up to
     * {@code through} (null: every turn this context-builder holds), with its history, and the
     * conversation's summary; turns numbered later belong to the conversation as it goes on after
     * the deletion and are kept. A turn of the erased part that is running keeps running: its answer
     * reaches the caller but is stored nowhere ({@link #finish} stores only answers of turns it holds).
     * Erased turns still queued are returned, to be answered. The conversation row stays, remembering
     * how far it was erased, so a late turn of the erased part is refused ({@link #arrive}), and the
     * next turn after the deletion, no longer waiting for a running one, may start.
     *
     * @param source the deletion record, so its redelivery re-publishes the turn it started
     */
    Outcome erase(String tenantId, String conversationId, Long through, String source) throws SQLException {
        // A redelivery that erased nothing and started nothing simply erases again, which changes nothing.
        String cause = "deletion:" + source;
        return inConversation(tenantId, conversationId, (c, erasedThrough) -> {
            List<Turn> answered = turnsLeftBy(c, tenantId, conversationId, "erased", cause);
            Optional<Turn> again = startedBy(c, tenantId, conversationId, cause);
            if (again.isPresent() || !answered.isEmpty()) {
                return new Outcome(again, answered); // a redelivered deletion: the same outputs again
            }
            List<Turn> unanswered = eraser.eraseThrough(c, tenantId, conversationId, through, cause);
            return new Outcome(startNext(c, tenantId, conversationId, cause), unanswered);
        });
    }

    /** The conversations in which a user spoke or queued a turn. */
    List<String> conversationsOf(String tenantId, String userId) throws SQLException {
        return Jdbc.query(db, """
                SELECT conversation_id FROM cb_messages WHERE tenant_id = ? AND user_id = ?
                UNION SELECT conversation_id FROM cb_conversation_turns WHERE tenant_id = ? AND user_id = ?""",
                rs -> rs.getString(1), tenantId, userId, tenantId, userId);
    }

    private static boolean answeredByDeletion(Connection c, Turn turn) throws SQLException {
        return Jdbc.exists(c, "SELECT 1 FROM cb_conversation_turns WHERE request_id = ? AND tenant_id = ? AND status = 'erased'",
                turn.requestId(), turn.tenantId());
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
        return inConversation(answer.tenantId(), answer.conversationId(), (c, erasedThrough) -> {
            // Whatever became of the turn (an erased one's calls cost the same), once per request: the
            // ledger's row and the turn's end commit together, so a redelivered answer is not counted again.
            ledger.record(c, answer.tenantId(), answer.requestId(),
                    LocalDate.ofInstant(answer.createdAt() != null ? answer.createdAt() : clock.instant(), ZoneOffset.UTC),
                    answer.usage(), answer.model());
            // Only the running turn: a turn erased while it ran (status 'erased') is answered, not stored.
            boolean ended = Jdbc.update(c, """
                    UPDATE cb_conversation_turns SET status = 'done', updated_at = now()
                    WHERE tenant_id = ? AND request_id = ? AND conversation_id = ? AND status = 'running'""",
                    answer.tenantId(), answer.requestId(), answer.conversationId()) == 1;
            if (ended && answer.isOk() && withHistory) {
                history.recordAnswer(c, answer, clock.instant());
            }
            // The turn was running until now, so no earlier delivery of this answer was committed and
            // nothing was started by it: only a redelivery (ended false) looks for what it started.
            Optional<Turn> again = ended ? Optional.empty() : startedBy(c, answer.tenantId(), answer.conversationId(), cause);
            return again.isPresent() ? again : startNext(c, answer.tenantId(), answer.conversationId(), cause);
        });
    }

    /** The running turn a record started before, so its redelivery publishes the same model call again. */
    private static Optional<Turn> startedBy(Connection c, String tenantId, String conversationId, String cause)
            throws SQLException {
        return turnsLeftBy(c, tenantId, conversationId, "running", cause).stream().findFirst();
    }

    /** The conversation's turns in {@code status} that the record {@code cause} put there. */
    static List<Turn> turnsLeftBy(Connection c, String tenantId, String conversationId, String status, String cause)
            throws SQLException {
        return Jdbc.query(c, """
                SELECT turn::text FROM cb_conversation_turns
                WHERE tenant_id = ? AND conversation_id = ? AND status = ? AND started_by = ? ORDER BY sequence""",
                rs -> turn(rs.getString(1)), tenantId, conversationId, status, cause);
    }

    private Optional<Turn> startNext(Connection c, String tenantId, String conversationId, String cause)
            throws SQLException {
        record Queued(String requestId, long sequence, Turn turn, long nextSequence) {
        }
        // Nothing, while a turn of the conversation runs.
        Optional<Queued> oldest = Jdbc.queryFirst(c, """
                SELECT t.request_id, t.sequence, t.turn::text, v.next_sequence
                FROM cb_conversation_turns t JOIN cb_conversations v USING (tenant_id, conversation_id)
                WHERE t.tenant_id = ? AND t.conversation_id = ? AND t.status = 'queued'
                  AND NOT EXISTS (SELECT 1 FROM cb_conversation_turns r WHERE r.tenant_id = t.tenant_id
                                  AND r.conversation_id = t.conversation_id AND r.status = 'running')
                ORDER BY t.sequence, t.arrival LIMIT 1""",
                rs -> new Queued(rs.getString(1), rs.getLong(2), turn(rs.getString(3)), rs.getLong(4)),
                tenantId, conversationId);
        // A turn whose predecessor has not arrived yet waits for it (0: a turn with no sequence).
        if (oldest.isEmpty() || oldest.get().sequence() > oldest.get().nextSequence()) {
            return Optional.empty();
        }
        Turn next = oldest.get().turn();
        Jdbc.update(c, """
                WITH started AS (
                    UPDATE cb_conversation_turns SET status = 'running', started_by = ?, updated_at = now()
                    WHERE tenant_id = ? AND request_id = ? RETURNING tenant_id, conversation_id)
                UPDATE cb_conversations v SET next_sequence = GREATEST(v.next_sequence, ?)
                FROM started s WHERE v.tenant_id = s.tenant_id AND v.conversation_id = s.conversation_id""",
                cause, tenantId, oldest.get().requestId(), oldest.get().sequence() + 1);
        // With the start, under the conversation's lock: a deletion is either before (the turn is
        // gone) or after (it erases the prompt with the turn), never resurrects a prompt it erased.
        history.recordPrompt(c, next);
        return Optional.of(next);
    }

    /** A step of the queue, run holding the conversation's row lock; told how far the conversation was erased. */
    @FunctionalInterface
    private interface Step<T> {
        T run(Connection c, long erasedThrough) throws SQLException;
    }

    /**
     * Runs a step in one transaction holding the conversation's row lock. One statement creates the
     * row or locks the one there (an upsert's update locks its row as {@code SELECT ... FOR UPDATE}
     * would, for the rest of the transaction) and reads it, where three did (insert, lock, read).
     */
    private <T> T inConversation(String tenantId, String conversationId, Step<T> step) throws SQLException {
        return Jdbc.inTransaction(db, c -> {
            long erasedThrough = Jdbc.queryFirst(c, """
                    INSERT INTO cb_conversations AS v (tenant_id, conversation_id) VALUES (?, ?)
                    ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET next_sequence = v.next_sequence
                    RETURNING v.erased_through""", rs -> rs.getLong(1), tenantId, conversationId).orElseThrow();
            return step.run(c, erasedThrough);
        });
    }

    static Turn turn(String json) {
        return Json.read(json.getBytes(StandardCharsets.UTF_8), Turn.class);
    }
}
