package io.askflow.gateway;

import io.askflow.db.Jdbc;
import io.askflow.message.Json;
import io.askflow.message.Turn;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The gateway's memory of accepted request ids, per tenant, which makes submitting the same request
 * twice harmless and a different request under a taken id a coded refusal.
 */
final class Submissions {
    private final DataSource db;

    Submissions(DataSource db) {
        this.db = db;
    }

    /** What claiming a request id came to. */
    enum Outcome {
        /** The id was free: the turn is the caller's, with its new sequence. */
        CLAIMED,
        /** The same record or call claimed it before (a redelivery): the same turn, same sequence. */
        AGAIN,
        /** Another submission with the same content claimed it: nothing to do. */
        DUPLICATE,
        /** Another submission with different content claimed it: refused with duplicate_request. */
        CONFLICT
    }

    /** @param conversationId the conversation of the turn that holds the id (for a duplicate: the earlier one's) */
    record Claim(Outcome outcome, Turn turn, String conversationId) {
        boolean publishes() {
            return outcome == Outcome.CLAIMED || outcome == Outcome.AGAIN;
        }
    }

    /**
     * Records the turn's request id, within its tenant, as accepted from {@code source} (the Kafka
     * coordinates or the HTTP call that brought it) and gives it its place in the conversation.
     *
     * @param fingerprint what was submitted (see {@link Verdict.Accepted#fingerprint}), to tell a
     *     duplicate from a conflicting reuse of the id
     * @param outbox keep the claimed turn as pending until {@link #published} confirms it: for turns
     *     the gateway publishes itself, which no Kafka redelivery would bring back
     */
    Claim claim(Turn turn, String fingerprint, String source, boolean outbox) throws SQLException {
        return Jdbc.inTransaction(db, c -> claim(c, turn, fingerprint, source, outbox));
    }

    /** Work done on the claims' connection, in their transaction. */
    interface Step {
        void run(Connection c) throws SQLException;
    }

    /**
     * Claims every turn for {@code source}, held, in one transaction with {@code alongside}
     * (run first, on the same connection): all are claimed and {@code alongside} is written, or
     * nothing is. For the turns the gateway makes itself (a batch job's documents), each the first
     * of a conversation of its own, so a turn or conversation already claimed is a bug and fails
     * the whole transaction. A held turn is not in the outbox: it waits until {@link #release} hands
     * it over.
     */
    void claimAll(List<Turn> turns, String source, Step alongside) throws SQLException {
        List<Turn> numbered = turns.stream().map(t -> t.withSequence(1)).toList();
        var tenants = Jdbc.textArray(numbered.stream().map(Turn::tenantId).toList());
        var requestIds = Jdbc.textArray(numbered.stream().map(Turn::requestId).toList());
        Jdbc.inTransaction(db, c -> {
            alongside.run(c);
            // As batches, not four statements a turn: a job of 5,000 documents took a minute to
            // accept on a busy machine, one round trip after another.
            Jdbc.batch(c, "INSERT INTO gateway_conversations (tenant_id, conversation_id, last_sequence) VALUES (?, ?, 1)",
                    numbered, t -> new Object[] {t.tenantId(), t.conversationId()});
            Jdbc.batch(c, """
                    INSERT INTO gateway_submissions
                        (request_id, tenant_id, conversation_id, source, accepted_at, user_id, content_sha256, sequence)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 1)""", numbered, t -> new Object[] {t.requestId(), t.tenantId(),
                    t.conversationId(), source, t.acceptedAt(), t.userId(), new Verdict.Accepted(t).fingerprint()});
            Jdbc.update(c, """
                    DELETE FROM gateway_erased_requests e USING unnest(?::text[], ?::text[]) AS t (tenant_id, request_id)
                    WHERE e.tenant_id = t.tenant_id AND e.request_id = t.request_id""", tenants, requestIds);
            // One statement, not a JDBC batch: a failing batch entry's message quotes its parameters, the prompt.
            Jdbc.update(c, """
                    UPDATE gateway_submissions s SET turn = t.turn::jsonb
                    FROM unnest(?::text[], ?::text[], ?::text[]) AS t (tenant_id, request_id, turn)
                    WHERE s.tenant_id = t.tenant_id AND s.request_id = t.request_id""", tenants, requestIds,
                    Jdbc.textArray(numbered.stream().map(Json::writeString).toList()));
            return null;
        });
    }

    private static Claim claim(Connection c, Turn turn, String fingerprint, String source, boolean outbox)
            throws SQLException {
        // One statement claims the id, makes an id a deletion erased in flight new again (its coming
        // answer belongs to this claim) and numbers the turn; it returns nothing when the id was
        // claimed before, and then neither of the others runs.
        Optional<Long> claimed = Jdbc.queryFirst(c, """
                WITH claimed AS (
                    INSERT INTO gateway_submissions
                        (request_id, tenant_id, conversation_id, source, accepted_at, user_id, content_sha256)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, request_id) DO NOTHING
                    RETURNING tenant_id, request_id, conversation_id),
                unerased AS (
                    DELETE FROM gateway_erased_requests e USING claimed
                    WHERE e.tenant_id = claimed.tenant_id AND e.request_id = claimed.request_id)
                INSERT INTO gateway_conversations AS v (tenant_id, conversation_id, last_sequence)
                SELECT tenant_id, conversation_id, 1 FROM claimed
                ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET last_sequence = v.last_sequence + 1
                RETURNING v.last_sequence""", rs -> rs.getLong(1),
                turn.requestId(), turn.tenantId(), turn.conversationId(), source, turn.acceptedAt(), turn.userId(),
                fingerprint);
        if (claimed.isPresent()) {
            long sequence = claimed.get();
            Turn numbered = turn.withSequence(sequence);
            String json = Json.writeString(numbered);
            Jdbc.update(c, """
                    UPDATE gateway_submissions SET sequence = ?, turn = ?::jsonb, pending_turn = ?::jsonb
                    WHERE tenant_id = ? AND request_id = ?""",
                    sequence, json, outbox ? json : null, turn.tenantId(), turn.requestId());
            return new Claim(Outcome.CLAIMED, numbered, numbered.conversationId());
        }
        Optional<Claim> held = Jdbc.queryFirst(c, """
                SELECT source, sequence, conversation_id, content_sha256 FROM gateway_submissions
                WHERE tenant_id = ? AND request_id = ?""", rs -> {
            if (source.equals(rs.getString(1))) {
                return new Claim(Outcome.AGAIN, turn.withSequence(rs.getLong(2)), rs.getString(3));
            }
            String earlier = rs.getString(4);
            boolean same = earlier == null || earlier.equals(fingerprint);
            return new Claim(same ? Outcome.DUPLICATE : Outcome.CONFLICT, null, rs.getString(3));
        }, turn.tenantId(), turn.requestId());
        if (held.isEmpty()) {
            throw new SQLException("Request " + turn.requestId() + " was claimed and is gone: erased meanwhile",
                    "40001"); // a serialisation conflict in effect: handled again, it is claimed anew
        }
        return held.get();
    }

    /**
     * Hands held turns of {@code tenantId} to the outbox, on {@code c} inside the caller's
     * transaction, each as {@code restamp} makes it (a deadline counted from now): from the commit
     * on, a turn whose publish is not confirmed is published by the sweeper. Returns the turns
     * found; an id whose submission is gone (erased meanwhile) is missing from them.
     */
    static List<Turn> release(Connection c, String tenantId, List<String> requestIds,
            java.util.function.UnaryOperator<Turn> restamp, Instant now) throws SQLException {
        List<Turn> released = new ArrayList<>();
        for (Turn held : Jdbc.query(c, "SELECT turn::text FROM gateway_submissions WHERE tenant_id = ? AND request_id = ANY (?)",
                rs -> turn(rs.getString(1)), tenantId, Jdbc.textArray(requestIds))) {
            released.add(restamp.apply(held));
        }
        Jdbc.update(c, """
                UPDATE gateway_submissions s SET turn = t.turn::jsonb, pending_turn = t.turn::jsonb, released_at = ?
                FROM unnest(?::text[], ?::text[]) AS t (request_id, turn)
                WHERE s.tenant_id = ? AND s.request_id = t.request_id""",
                now, Jdbc.textArray(released.stream().map(Turn::requestId).toList()),
                Jdbc.textArray(released.stream().map(Json::writeString).toList()), tenantId);
        return released;
    }

    /** The turns' publish is confirmed: the outbox sweeper leaves them alone. */
    void published(Collection<Turn> turns) throws SQLException {
        Jdbc.update(db, """
                UPDATE gateway_submissions s SET pending_turn = NULL
                FROM unnest(?::text[], ?::text[]) AS t (tenant_id, request_id)
                WHERE s.tenant_id = t.tenant_id AND s.request_id = t.request_id""",
                Jdbc.textArray(turns.stream().map(Turn::tenantId).toList()),
                Jdbc.textArray(turns.stream().map(Turn::requestId).toList()));
    }

    /** When the tenant's request id was accepted, if it was. */
    Optional<Instant> acceptedAt(String tenantId, String requestId) throws SQLException {
        return Jdbc.queryFirst(db, "SELECT accepted_at FROM gateway_submissions WHERE tenant_id = ? AND request_id = ?",
                rs -> rs.getTimestamp(1).toInstant(), tenantId, requestId);
    }

    /** Whether the tenant's request id was accepted. */
    boolean accepted(String tenantId, String requestId) throws SQLException {
        return acceptedAt(tenantId, requestId).isPresent();
    }

    /** Turns claimed (or, held, released) at least {@code age} ago whose publish was never confirmed, oldest first. */
    List<Turn> pending(Duration age, int limit) throws SQLException {
        return Jdbc.query(db, "SELECT pending_turn::text FROM gateway_submissions WHERE pending_turn IS NOT NULL "
                + "AND coalesce(released_at, accepted_at) < ? ORDER BY accepted_at LIMIT ?",
                rs -> turn(rs.getString(1)), Instant.now().minus(age), limit);
    }

    /** The turn an earlier delivery of the record at {@code source} claimed and published, if any. */
    Optional<Turn> claimedBy(String source) throws SQLException {
        return Jdbc.queryFirst(db, "SELECT turn::text FROM gateway_submissions WHERE source = ? AND turn IS NOT NULL",
                rs -> turn(rs.getString(1)), source);
    }

    private static Turn turn(String json) {
        return Json.read(json.getBytes(StandardCharsets.UTF_8), Turn.class);
    }
}
