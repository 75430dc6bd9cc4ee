package io.askflow.knowledge;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Long-term memory per tenant and user. Every statement names the tenant and the user, so a memory
 * id from another tenant or user finds nothing: it is neither read nor deleted.
 */
public final class MemoryStore {
    /** A memory is a fact, not a document: longer text is refused rather than silently cut. */
    public static final int MAX_CHARS = 1_000;

    private final DataSource db;

    public MemoryStore(DataSource db) {
        this.db = db;
    }

    /**
     * Stores a fact that turn {@code requestId} asked to remember, once: the same fact from the same
     * turn again (a redelivered tool call, or the model asked again after a crash and repeating
     * itself under a new tool-call id) returns the memory stored the first time. The key is the turn
     * and the text, not the tool-call id, because a repeated model call gets new call ids. A fact
     * worded differently on the repeat is a different fact and is stored too: nothing can tell the two apart.
     */
    public Memory add(String tenantId, String userId, String requestId, String text) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ins = c.prepareStatement("""
                        INSERT INTO knowledge_memories (id, tenant_id, user_id, request_id, text) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (tenant_id, user_id, request_id, md5(text)) WHERE request_id IS NOT NULL
                        DO UPDATE SET request_id = EXCLUDED.request_id
                        RETURNING id, created_at""")) {
            // DO UPDATE (to the same value) rather than DO NOTHING, so RETURNING also yields the existing row.
            ins.setString(1, Ids.next("mem"));
            ins.setString(2, tenantId);
            ins.setString(3, userId);
            ins.setString(4, Objects.requireNonNull(requestId, "requestId"));
            ins.setString(5, text);
            try (ResultSet rs = ins.executeQuery()) {
                rs.next();
                return new Memory(rs.getString(1), tenantId, userId, text, rs.getTimestamp(2).toInstant());
            }
        }
    }

    /** Newest first. */
    public List<Memory> list(String tenantId, String userId, int limit) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        SELECT id, text, created_at FROM knowledge_memories WHERE tenant_id = ? AND user_id = ?
                        ORDER BY created_at DESC, id LIMIT ?""")) {
            q.setString(1, tenantId);
            q.setString(2, userId);
            q.setInt(3, limit);
            List<Memory> out = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new Memory(rs.getString(1), tenantId, userId, rs.getString(2), rs.getTimestamp(3).toInstant()));
                }
            }
            return out;
        }
    }

    /** True when the user had this memory. */
    public boolean delete(String tenantId, String userId, String memoryId) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement del = c.prepareStatement(
                        "DELETE FROM knowledge_memories WHERE id = ? AND tenant_id = ? AND user_id = ?")) {
            del.setString(1, memoryId);
            del.setString(2, tenantId);
            del.setString(3, userId);
            return del.executeUpdate() == 1;
        }
    }

    public int deleteUser(String tenantId, String userId) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement del = c.prepareStatement(
                        "DELETE FROM knowledge_memories WHERE tenant_id = ? AND user_id = ?")) {
            del.setString(1, tenantId);
            del.setString(2, userId);
            return del.executeUpdate();
        }
    }
}
