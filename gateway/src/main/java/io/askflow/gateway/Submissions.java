package io.askflow.gateway;

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

/** The gateway's memory of accepted request ids, which makes submitting the same request twice harmless. */
final class Submissions {
    private final DataSource db;

    Submissions(DataSource db) {
        this.db = db;
    }

    /**
     * Records the turn's request id as accepted from {@code source} (the Kafka coordinates or the
     * HTTP call that brought it) and gives it its place in the conversation. Returns the turn to
     * publish, with its sequence: the first time, and again (same sequence) when the same record is
     * redelivered after a crash. Empty when a different submission already claimed the id.
     */
    java.util.Optional<Turn> claim(Turn turn, String source) throws SQLException {
        return claim(turn, source, false);
    }

    /**
     * @param outbox keep the claimed turn as pending until {@link #published} confirms it: for turns
     *     the gateway publishes itself, which no Kafka redelivery would bring back
     */
    java.util.Optional<Turn> claim(Turn turn, String source, boolean outbox) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                java.util.Optional<Turn> claimed = claim(c, turn, source, outbox);
                c.commit();
                return claimed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
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
                    claimed.add(claim(c, t, source, true).orElseThrow(
                            () -> new IllegalStateException("Request id " + t.requestId() + " was already claimed")));
                }
                c.commit();
                return claimed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static java.util.Optional<Turn> claim(Connection c, Turn turn, String source, boolean outbox)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("""
                INSERT INTO gateway_submissions (request_id, tenant_id, conversation_id, source, accepted_at, user_id)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING""")) {
            insert.setString(1, turn.requestId());
            insert.setString(2, turn.tenantId());
            insert.setString(3, turn.conversationId());
            insert.setString(4, source);
            insert.setTimestamp(5, Timestamp.from(turn.acceptedAt()));
            insert.setString(6, turn.userId());
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
                try (PreparedStatement set = c.prepareStatement(
                        "UPDATE gateway_submissions SET sequence = ?, turn = ?::jsonb, pending_turn = ?::jsonb WHERE request_id = ?")) {
                    String json = Json.writeString(numbered);
                    set.setLong(1, sequence);
                    set.setString(2, json);
                    set.setString(3, outbox ? json : null);
                    set.setString(4, turn.requestId());
                    set.executeUpdate();
                }
                return java.util.Optional.of(numbered);
            }
        }
        try (PreparedStatement owner = c.prepareStatement(
                "SELECT source, sequence FROM gateway_submissions WHERE request_id = ?")) {
            owner.setString(1, turn.requestId());
            try (ResultSet rs = owner.executeQuery()) {
                return rs.next() && source.equals(rs.getString(1))
                        ? java.util.Optional.of(turn.withSequence(rs.getLong(2)))
                        : java.util.Optional.empty();
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

    /** The tenant that submitted a request id, if any did. */
    java.util.Optional<String> tenantOf(String requestId) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("SELECT tenant_id FROM gateway_submissions WHERE request_id = ?")) {
            q.setString(1, requestId);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? java.util.Optional.of(rs.getString(1)) : java.util.Optional.empty();
            }
        }
    }

    /** The conversation of an already accepted request, so a duplicate HTTP submission can be told where it went. */
    java.util.Optional<String> conversationOf(String requestId) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("SELECT conversation_id FROM gateway_submissions WHERE request_id = ?")) {
            q.setString(1, requestId);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? java.util.Optional.of(rs.getString(1)) : java.util.Optional.empty();
            }
        }
    }

    /** The turns' publish is confirmed: the outbox sweeper leaves them alone. */
    void published(Collection<String> requestIds) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement up = c.prepareStatement(
                        "UPDATE gateway_submissions SET pending_turn = NULL WHERE request_id = ANY (?)")) {
            up.setArray(1, c.createArrayOf("text", requestIds.toArray()));
            up.executeUpdate();
        }
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
