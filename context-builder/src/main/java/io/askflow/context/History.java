package io.askflow.context;

import io.askflow.message.Answer;
import io.askflow.message.ChatMessage;
import io.askflow.message.Turn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.sql.DataSource;

/** A conversation's turns in PostgreSQL, always read within the tenant that owns them. */
final class History {
    /** A stored message and its row id, which orders history and marks how far a summary reaches. */
    record Stored(long id, ChatMessage message) {
    }

    private final DataSource db;

    History(DataSource db) {
        this.db = db;
    }

    /** Within the caller's transaction, the one that starts the turn. */
    void recordPrompt(Connection c, Turn turn) throws SQLException {
        insert(c, turn.tenantId(), turn.conversationId(), turn.userId(), turn.requestId(), "user", turn.prompt(),
                turn.acceptedAt());
    }

    /** Within the caller's transaction, so the answer is stored exactly when its turn is marked done. */
    void recordAnswer(Connection c, Answer answer, Instant now) throws SQLException {
        insert(c, answer.tenantId(), answer.conversationId(), answer.userId() == null ? "anonymous" : answer.userId(),
                answer.requestId(), "assistant", answer.text() == null ? "" : answer.text(), now);
    }

    /** The latest {@code limit} messages before the given request, oldest first. */
    List<Stored> before(String tenantId, String conversationId, String requestId, int limit) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        SELECT id, role, content FROM cb_messages
                        WHERE tenant_id = ? AND conversation_id = ? AND request_id <> ?
                        ORDER BY id DESC LIMIT ?""")) {
            q.setString(1, tenantId);
            q.setString(2, conversationId);
            q.setString(3, requestId);
            q.setInt(4, limit);
            List<Stored> newestFirst = read(q);
            Collections.reverse(newestFirst);
            return newestFirst;
        }
    }

    /** Messages with {@code afterId < id < beforeId}, oldest first, at most {@code limit}: what a summary must add. */
    List<Stored> between(String tenantId, String conversationId, long afterId, long beforeId, int limit)
            throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        SELECT id, role, content FROM cb_messages
                        WHERE tenant_id = ? AND conversation_id = ? AND id > ? AND id < ?
                        ORDER BY id DESC LIMIT ?""")) {
            q.setString(1, tenantId);
            q.setString(2, conversationId);
            q.setLong(3, afterId);
            q.setLong(4, beforeId);
            q.setInt(5, limit);
            List<Stored> newestFirst = read(q);
            Collections.reverse(newestFirst);
            return newestFirst;
        }
    }

    private static List<Stored> read(PreparedStatement q) throws SQLException {
        List<Stored> rows = new ArrayList<>();
        try (ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                String content = rs.getString(3);
                rows.add(new Stored(rs.getLong(1),
                        "user".equals(rs.getString(2)) ? ChatMessage.user(content) : ChatMessage.assistant(content)));
            }
        }
        return rows;
    }

    private static void insert(Connection c, String tenantId, String conversationId, String userId, String requestId,
            String role, String content, Instant at) throws SQLException {
        try (PreparedStatement ins = c.prepareStatement("""
                        INSERT INTO cb_messages (tenant_id, conversation_id, user_id, request_id, role, content, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, request_id, role) DO NOTHING""")) {
            ins.setString(1, tenantId);
            ins.setString(2, conversationId);
            ins.setString(3, userId);
            ins.setString(4, requestId);
            ins.setString(5, role);
            ins.setString(6, content);
            ins.setTimestamp(7, Timestamp.from(at));
            ins.executeUpdate();
        }
    }
}
