package io.askflow.context;

import io.askflow.db.Jdbc;
import io.askflow.message.Answer;
import io.askflow.message.ChatMessage;
import io.askflow.message.Turn;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
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
        return oldestFirst(Jdbc.query(db, """
                SELECT id, role, content FROM cb_messages
                WHERE tenant_id = ? AND conversation_id = ? AND request_id <> ?
                ORDER BY id DESC LIMIT ?""", History::stored, tenantId, conversationId, requestId, limit));
    }

    /** Messages with {@code afterId < id < beforeId}, oldest first, at most {@code limit}: what a summary must add. */
    List<Stored> between(String tenantId, String conversationId, long afterId, long beforeId, int limit)
            throws SQLException {
        return oldestFirst(Jdbc.query(db, """
                SELECT id, role, content FROM cb_messages
                WHERE tenant_id = ? AND conversation_id = ? AND id > ? AND id < ?
                ORDER BY id DESC LIMIT ?""", History::stored, tenantId, conversationId, afterId, beforeId, limit));
    }

    private static List<Stored> oldestFirst(List<Stored> newestFirst) {
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    private static Stored stored(ResultSet rs) throws SQLException {
        String content = rs.getString(3);
        return new Stored(rs.getLong(1),
                "user".equals(rs.getString(2)) ? ChatMessage.user(content) : ChatMessage.assistant(content));
    }

    private static void insert(Connection c, String tenantId, String conversationId, String userId, String requestId,
            String role, String content, Instant at) throws SQLException {
        Jdbc.update(c, """
                INSERT INTO cb_messages (tenant_id, conversation_id, user_id, request_id, role, content, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, request_id, role) DO NOTHING""",
                tenantId, conversationId, userId, requestId, role, content, at);
    }
}
