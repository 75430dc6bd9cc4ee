package io.askflow.gateway;

import io.askflow.db.Database;
import io.askflow.message.Json;
import io.askflow.message.Turn;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                Claim claimed = claim(c, turn, fingerprint, source, outbox);
                c.commit();
                return claimed;
            } catch (SQLException | RuntimeException e) {
                Database.rollback(c, e);
                throw e;
            }
        }
    }

    /** Work done on the claims' connection, in their transaction. */
    interface Step {
        void run(Connection c) throws SQLException;
    }

    /**
     * Claims every turn for {@code source}, outboxed, in one transaction with {@code alongside}
     * (run first, on the same connection): all are claimed and {@code alongside} is written, or
     * nothing is. For the turns the gateway makes itself (a batch job's documents), whose ids are new,
     * so a turn already claimed is a bug and fails the whole transaction. Returns the numbered turns.
     */
    List<Turn> claimAll(List<Turn> turns, String source, Step alongside) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                alongside.run(c);
                List<Turn> claimed = new ArrayList<>();
                for (Turn t : turns) {
                    Claim claim = claim(c, t, new Verdict.Accepted(t).fingerprint(), source, true);
                    if (claim.outcome() != Outcome.CLAIMED) {
                        throw new IllegalStateException("Request id " + t.requestId() + " was already claimed");
                    }
                    claimed.add(claim.turn());
                }
                c.commit();
                return claimed;
            } catch (SQLException | RuntimeException e) {
                Database.rollback(c, e);
                throw e;
            }
        }
    }

    private static Claim claim(Connection c, Turn turn, String fingerprint, String source, boolean outbox)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("""
                INSERT INTO gateway_submissions
                    (request_id, tenant_id, conversation_id, source, accepted_at, user_id, content_sha256)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, request_id) DO NOTHING""")) {
            insert.setString(1, turn.requestId());
            insert.setString(2, turn.tenantId());
            insert.setString(3, turn.conversationId());
            insert.setString(4, source);
            insert.setTimestamp(5, Timestamp.from(turn.acceptedAt()));
            insert.setString(6, turn.userId());
            insert.setString(7, fingerprint);
            if (insert.executeUpdate() == 1) {
                // An id a deletion erased in flight is new again: its coming answer belongs to this claim.
                try (PreparedStatement fresh = c.prepareStatement(
                        "DELETE FROM gateway_erased_requests WHERE tenant_id = ? AND request_id = ?")) {
                    fresh.setString(1, turn.tenantId());
                    fresh.setString(2, turn.requestId());
                    fresh.executeUpdate();
                }
                long sequence = nextSequence(c, turn.tenantId(), turn.conversationId());
                Turn numbered = turn.withSequence(sequence);
                try (PreparedStatement set = c.prepareStatement("""
                        UPDATE gateway_submissions SET sequence = ?, turn = ?::jsonb, pending_turn = ?::jsonb
                        WHERE tenant_id = ? AND request_id = ?""")) {
                    String json = Json.writeString(numbered);
                    set.setLong(1, sequence);
                    set.setString(2, json);
                    set.setString(3, outbox ? json : null);
                    set.setString(4, turn.tenantId());
                    set.setString(5, turn.requestId());
                    set.executeUpdate();
                }
                return new Claim(Outcome.CLAIMED, numbered, numbered.conversationId());
            }
        }
        try (PreparedStatement owner = c.prepareStatement("""
                SELECT source, sequence, conversation_id, content_sha256 FROM gateway_submissions
                WHERE tenant_id = ? AND request_id = ?""")) {
            owner.setString(1, turn.tenantId());
            owner.setString(2, turn.requestId());
            try (ResultSet rs = owner.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("Request " + turn.requestId() + " was claimed and is gone: erased meanwhile",
                            "40001"); // a serialisation conflict in effect: handled again, it is claimed anew
                }
                if (source.equals(rs.getString(1))) {
                    return new Claim(Outcome.AGAIN, turn.withSequence(rs.getLong(2)), rs.getString(3));
                }
                String earlier = rs.getString(4);
                boolean same = earlier == null || earlier.equals(fingerprint);
                return new Claim(same ? Outcome.DUPLICATE : Outcome.CONFLICT, null, rs.getString(3));
            }
        }
    }

    /** Atomic per conversation: concurrent claims in one conversation get distinct, gap-free numbers. */
    private static long nextSequence(Connection c, String tenantId, String conversationId) throws SQLException {
        try (PreparedStatement next = c.prepareStatement("""
                INSERT INTO gateway_conversations (tenant_id, conversation_id, last_sequence) VALUES (?, ?, 1)
                ON CONFLICT (tenant_id, conversation_id)
                DO UPDATE SET last_sequence = gateway_conversations.last_sequence + 1
                RETURNING last_sequence""")) {
            next.setString(1, tenantId);
            next.setString(2, conversationId);
            try (ResultSet rs = next.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The turns' publish is confirmed: the outbox sweeper leaves them alone. */
    void published(Collection<Turn> turns) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement up = c.prepareStatement("""
                        UPDATE gateway_submissions s SET pending_turn = NULL
                        FROM unnest(?::text[], ?::text[]) AS t (tenant_id, request_id)
                        WHERE s.tenant_id = t.tenant_id AND s.request_id = t.request_id""")) {
            up.setArray(1, c.createArrayOf("text", turns.stream().map(Turn::tenantId).toArray()));
            up.setArray(2, c.createArrayOf("text", turns.stream().map(Turn::requestId).toArray()));
            up.executeUpdate();
        }
    }

    /** When the tenant's request id was accepted, if it was. */
    java.util.Optional<Instant> acceptedAt(String tenantId, String requestId) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "SELECT accepted_at FROM gateway_submissions WHERE tenant_id = ? AND request_id = ?")) {
            q.setString(1, tenantId);
            q.setString(2, requestId);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? java.util.Optional.of(rs.getTimestamp(1).toInstant()) : java.util.Optional.empty();
            }
        }
    }

    /** Whether the tenant's request id was accepted. */
    boolean accepted(String tenantId, String requestId) throws SQLException {
        return acceptedAt(tenantId, requestId).isPresent();
    }

    /** Turns claimed at least {@code age} ago whose publish was never confirmed, oldest first. */
    List<Turn> pending(Duration age, int limit) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("SELECT pending_turn::text FROM gateway_submissions "
                        + "WHERE pending_turn IS NOT NULL AND accepted_at < ? ORDER BY accepted_at LIMIT ?")) {
            q.setTimestamp(1, Timestamp.from(Instant.now().minus(age)));
            q.setInt(2, limit);
            List<Turn> turns = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    turns.add(Json.read(rs.getString(1).getBytes(StandardCharsets.UTF_8), Turn.class));
                }
            }
            return turns;
        }
    }

    /** The turn an earlier delivery of the record at {@code source} claimed and published, if any. */
    java.util.Optional<Turn> claimedBy(String source) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "SELECT turn::text FROM gateway_submissions WHERE source = ? AND turn IS NOT NULL")) {
            q.setString(1, source);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next()
                        ? java.util.Optional.of(Json.read(rs.getString(1).getBytes(StandardCharsets.UTF_8), Turn.class))
                        : java.util.Optional.empty();
            }
        }
    }
}
