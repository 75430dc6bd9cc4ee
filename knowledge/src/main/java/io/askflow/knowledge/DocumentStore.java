package io.askflow.knowledge;

import io.askflow.db.Jdbc;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
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
        boolean added = Jdbc.inTransaction(db, c -> {
            if (Jdbc.update(c, """
                    INSERT INTO knowledge_documents (id, tenant_id, user_id, title, content_type, chars)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING""",
                    id, tenantId, userId, title, contentType, text.length()) == 0) {
                return false;
            }
            Jdbc.batch(c, "INSERT INTO knowledge_chunks (document_id, tenant_id, ordinal, text) VALUES (?, ?, ?, ?)",
                    IntStream.range(0, chunks.size()).boxed().toList(),
                    i -> new Object[] {id, tenantId, i, chunks.get(i)});
            return true;
        });
        if (!added) {
            return find(tenantId, id).orElseThrow(() -> new IllegalArgumentException("document id " + id + " is already taken"));
        }
        return find(tenantId, id).orElseThrow();
    }

    public Optional<DocumentInfo> find(String tenantId, String id) throws SQLException {
        return Jdbc.queryFirst(db, """
                SELECT id, tenant_id, user_id, title, content_type, chars, created_at FROM knowledge_documents
                WHERE tenant_id = ? AND id = ?""", DocumentStore::info, tenantId, id);
    }

    public List<DocumentInfo> list(String tenantId, int limit) throws SQLException {
        return Jdbc.query(db, """
                SELECT id, tenant_id, user_id, title, content_type, chars, created_at FROM knowledge_documents
                WHERE tenant_id = ? ORDER BY created_at DESC, id LIMIT ?""", DocumentStore::info, tenantId, limit);
    }

    /** The document's text, as {@link #withText} gives it. */
    public Optional<String> text(String tenantId, String id) throws SQLException {
        return Optional.ofNullable(withText(tenantId, List.of(id)).get(id)).map(StoredDocument::text);
    }

    /**
     * The tenant's documents among {@code ids}, each with its text (its chunks in order, a blank
     * line between two), by id, in one statement however many ids: a batch job names up to 10,000 documents, and one
     * look-up after another through a busy connection pool kept {@code POST /v1/jobs} waiting
     * tens of seconds (docs/benchmarks.md, Priority lanes). Ids the tenant has no document for are absent.
     */
    public Map<String, StoredDocument> withText(String tenantId, Collection<String> ids) throws SQLException {
        Map<String, StoredDocument> found = new HashMap<>();
        for (StoredDocument d : Jdbc.query(db, """
                SELECT d.id, d.tenant_id, d.user_id, d.title, d.content_type, d.chars, d.created_at,
                       coalesce(string_agg(k.text, E'\\n\\n' ORDER BY k.ordinal), '')
                FROM knowledge_documents d
                LEFT JOIN knowledge_chunks k ON k.tenant_id = d.tenant_id AND k.document_id = d.id
                WHERE d.tenant_id = ? AND d.id = ANY(?::text[])
                GROUP BY d.id, d.tenant_id, d.user_id, d.title, d.content_type, d.chars, d.created_at""",
                rs -> new StoredDocument(info(rs), rs.getString(8)), tenantId, Jdbc.textArray(new HashSet<>(ids)))) {
            found.put(d.info().id(), d);
        }
        return found;
    }

    /**
     * The tenant's passages that best match {@code query} (web-search syntax: words, "phrases",
     * -exclusions, or), best first.
     */
    public List<Passage> search(String tenantId, String query, int limit) throws SQLException {
        return Jdbc.query(db, """
                SELECT k.document_id, d.title, k.ordinal, k.text, ts_rank(k.tsv, q) AS rank
                FROM knowledge_chunks k JOIN knowledge_documents d ON d.id = k.document_id,
                     websearch_to_tsquery('english', ?) q
                WHERE k.tenant_id = ? AND d.tenant_id = ? AND k.tsv @@ q
                ORDER BY rank DESC, k.document_id, k.ordinal LIMIT ?""",
                rs -> new Passage(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getDouble(5)),
                query, tenantId, tenantId, limit);
    }

    /** True when the tenant had this document; its chunks go with it. */
    public boolean delete(String tenantId, String id) throws SQLException {
        return Jdbc.update(db, "DELETE FROM knowledge_documents WHERE tenant_id = ? AND id = ?", tenantId, id) == 1;
    }

    /** Every document a user uploaded. */
    public int deleteUser(String tenantId, String userId) throws SQLException {
        return Jdbc.update(db, "DELETE FROM knowledge_documents WHERE tenant_id = ? AND user_id = ?", tenantId, userId);
    }

    private static DocumentInfo info(ResultSet rs) throws SQLException {
        return new DocumentInfo(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getInt(6), rs.getTimestamp(7).toInstant());
    }
}
