package io.askflow.knowledge;

import io.askflow.db.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Documents and their full-text index in PostgreSQL: chunks with a generated {@code tsvector} under
 * a GIN index, ranked with {@code ts_rank}. Every statement names the tenant: a document id of
 * another tenant is indistinguishable from one that does not exist.
 */
public final class DocumentStore {
    private final DataSource db;
    private final Chunker chunker;

    public DocumentStore(DataSource db, Chunker chunker) {
        this.db = db;
        this.chunker = chunker;
    }

    public DocumentStore(DataSource db) {
        this(db, new Chunker(1_200));
    }

    /** Stores the text and its chunks in one transaction; returns the new document. */
    public DocumentInfo add(String tenantId, String userId, String title, String contentType, String text)
            throws SQLException {
        return add(Ids.next("doc"), tenantId, userId, title, contentType, text);
    }

    /**
     * With a caller's id, so an upload redelivered from Kafka is stored once.
     *
     * @return the stored document; an existing one with this id is returned unchanged only when it is the tenant's own
     * @throws IllegalArgumentException when the id is taken by another tenant
     */
    public DocumentInfo add(String id, String tenantId, String userId, String title, String contentType, String text)
            throws SQLException {
        List<String> chunks = chunker.split(text);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ins = c.prepareStatement("""
                        INSERT INTO knowledge_documents (id, tenant_id, user_id, title, content_type, chars)
                        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING""")) {
                    ins.setString(1, id);
                    ins.setString(2, tenantId);
                    ins.setString(3, userId);
                    ins.setString(4, title);
                    ins.setString(5, contentType);
                    ins.setInt(6, text.length());
                    if (ins.executeUpdate() == 0) {
                        c.rollback();
                        return find(tenantId, id).orElseThrow(
                                () -> new IllegalArgumentException("document id " + id + " is already taken"));
                    }
                }
                try (PreparedStatement chunk = c.prepareStatement(
                        "INSERT INTO knowledge_chunks (document_id, tenant_id, ordinal, text) VALUES (?, ?, ?, ?)")) {
                    for (int i = 0; i < chunks.size(); i++) {
                        chunk.setString(1, id);
                        chunk.setString(2, tenantId);
                        chunk.setInt(3, i);
                        chunk.setString(4, chunks.get(i));
                        chunk.addBatch();
                    }
                    chunk.executeBatch();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Database.rollback(c, e);
                throw e;
            }
        }
        return find(tenantId, id).orElseThrow();
    }

    public Optional<DocumentInfo> find(String tenantId, String id) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        SELECT id, tenant_id, user_id, title, content_type, chars, created_at FROM knowledge_documents
                        WHERE tenant_id = ? AND id = ?""")) {
            q.setString(1, tenantId);
            q.setString(2, id);
            List<DocumentInfo> found = infos(q);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
        }
    }

    public List<DocumentInfo> list(String tenantId, int limit) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        SELECT id, tenant_id, user_id, title, content_type, chars, created_at FROM knowledge_documents
                        WHERE tenant_id = ? ORDER BY created_at DESC, id LIMIT ?""")) {
            q.setString(1, tenantId);
            q.setInt(2, limit);
            return infos(q);
        }
    }

    /** The document's text, its chunks joined in order. */
    public Optional<String> text(String tenantId, String id) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        SELECT text FROM knowledge_chunks WHERE tenant_id = ? AND document_id = ? ORDER BY ordinal""")) {
            q.setString(1, tenantId);
            q.setString(2, id);
            StringBuilder text = new StringBuilder();
            boolean any = false;
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    if (any) {
                        text.append("\n\n");
                    }
                    text.append(rs.getString(1));
                    any = true;
                }
            }
            return any || find(tenantId, id).isPresent() ? Optional.of(text.toString()) : Optional.empty();
        }
    }

    /**
     * The tenant's passages that best match {@code query} (web-search syntax: words, "phrases",
     * -exclusions, or), best first.
     */
    public List<Passage> search(String tenantId, String query, int limit) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        SELECT k.document_id, d.title, k.ordinal, k.text, ts_rank(k.tsv, q) AS rank
                        FROM knowledge_chunks k JOIN knowledge_documents d ON d.id = k.document_id,
                             websearch_to_tsquery('english', ?) q
                        WHERE k.tenant_id = ? AND d.tenant_id = ? AND k.tsv @@ q
                        ORDER BY rank DESC, k.document_id, k.ordinal LIMIT ?""")) {
            q.setString(1, query);
            q.setString(2, tenantId);
            q.setString(3, tenantId);
            q.setInt(4, limit);
            List<Passage> out = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new Passage(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getDouble(5)));
                }
            }
            return out;
        }
    }

    /** True when the tenant had this document; its chunks go with it. */
    public boolean delete(String tenantId, String id) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement del = c.prepareStatement("DELETE FROM knowledge_documents WHERE tenant_id = ? AND id = ?")) {
            del.setString(1, tenantId);
            del.setString(2, id);
            return del.executeUpdate() == 1;
        }
    }

    /** Every document a user uploaded. */
    public int deleteUser(String tenantId, String userId) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement del = c.prepareStatement(
                        "DELETE FROM knowledge_documents WHERE tenant_id = ? AND user_id = ?")) {
            del.setString(1, tenantId);
            del.setString(2, userId);
            return del.executeUpdate();
        }
    }

    private static List<DocumentInfo> infos(PreparedStatement q) throws SQLException {
        List<DocumentInfo> out = new ArrayList<>();
        try (ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                out.add(new DocumentInfo(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getInt(6), rs.getTimestamp(7).toInstant()));
            }
        }
        return out;
    }
}
