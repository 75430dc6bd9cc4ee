package io.askflow.gateway;

import io.askflow.message.Turn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import javax.sql.DataSource;

/** The gateway's memory of accepted request ids, which makes submitting the same request twice harmless. */
final class Submissions {
    private final DataSource db;

    Submissions(DataSource db) {
        this.db = db;
    }

    /**
     * Records the turn's request id as accepted from {@code source} (the Kafka coordinates or the
     * HTTP call that brought it). True when this source owns the request id, i.e. when the turn
     * should be published: the first time, and again when the same record is redelivered after a
     * crash. False when a different submission already claimed the id.
     */
    boolean claim(Turn turn, String source) throws SQLException {
        try (Connection c = db.getConnection()) {
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO gateway_submissions (request_id, tenant_id, conversation_id, source, accepted_at)
                    VALUES (?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING""")) {
                insert.setString(1, turn.requestId());
                insert.setString(2, turn.tenantId());
                insert.setString(3, turn.conversationId());
                insert.setString(4, source);
                insert.setTimestamp(5, Timestamp.from(turn.acceptedAt()));
                if (insert.executeUpdate() == 1) {
                    return true;
                }
            }
            try (PreparedStatement owner = c.prepareStatement("SELECT source FROM gateway_submissions WHERE request_id = ?")) {
                owner.setString(1, turn.requestId());
                try (ResultSet rs = owner.executeQuery()) {
                    return rs.next() && source.equals(rs.getString(1));
                }
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
}
