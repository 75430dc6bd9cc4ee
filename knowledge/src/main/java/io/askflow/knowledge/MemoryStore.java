package io.askflow.knowledge;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
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

    public Memory add(String tenantId, String userId, String text) throws SQLException {
        String id = Ids.next("mem");
        try (Connection c = db.getConnection();
                PreparedStatement ins = c.prepareStatement(
                        "INSERT INTO knowledge_memories (id, tenant_id, user_id, text) VALUES (?, ?, ?, ?) RETURNING created_at")) {
            ins.setString(1, id);
            ins.setString(2, tenantId);
            ins.setString(3, userId);
            ins.setString(4, text);
            try (ResultSet rs = ins.executeQuery()) {
                rs.next();
                return new Memory(id, tenantId, userId, text, rs.getTimestamp(1).toInstant());
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
