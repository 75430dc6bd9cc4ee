package io.askflow.knowledge;

import io.askflow.db.Jdbc;
import java.sql.SQLException;
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
        // DO UPDATE (to the same value) rather than DO NOTHING, so RETURNING also yields the existing row.
        return Jdbc.queryFirst(db, """
                INSERT INTO knowledge_memories (id, tenant_id, user_id, request_id, text) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, user_id, request_id, md5(text)) WHERE request_id IS NOT NULL
                DO UPDATE SET request_id = EXCLUDED.request_id
                RETURNING id, created_at""",
                rs -> new Memory(rs.getString(1), tenantId, userId, text, rs.getTimestamp(2).toInstant()),
                Ids.next("mem"), tenantId, userId, Objects.requireNonNull(requestId, "requestId"), text).orElseThrow();
    }

    /** Newest first. */
    public List<Memory> list(String tenantId, String userId, int limit) throws SQLException {
        return Jdbc.query(db, """
                SELECT id, text, created_at FROM knowledge_memories WHERE tenant_id = ? AND user_id = ?
                ORDER BY created_at DESC, id LIMIT ?""",
                rs -> new Memory(rs.getString(1), tenantId, userId, rs.getString(2), rs.getTimestamp(3).toInstant()),
                tenantId, userId, limit);
    }

    /** True when the user had this memory. */
    public boolean delete(String tenantId, String userId, String memoryId) throws SQLException {
        return Jdbc.update(db, "DELETE FROM knowledge_memories WHERE id = ? AND tenant_id = ? AND user_id = ?",
                memoryId, tenantId, userId) == 1;
    }

    public int deleteUser(String tenantId, String userId) throws SQLException {
        return Jdbc.update(db, "DELETE FROM knowledge_memories WHERE tenant_id = ? AND user_id = ?", tenantId, userId);
    }
}
