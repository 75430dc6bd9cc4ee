package io.askflow.gateway;

import io.askflow.knowledge.DocumentInfo;
import io.askflow.knowledge.DocumentStore;
import io.askflow.knowledge.DocumentText;
import io.askflow.message.DocumentUpload;
import io.askflow.message.Json;
import io.askflow.message.StorableText;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Base64;

/** Turns uploaded bytes into a stored, indexed document, the same for HTTP and {@code askflow.documents}. */
final class DocumentIntake {
    private static final int MAX_TITLE = 300;

    private final DocumentStore documents;
    private final int maxBytes;

    DocumentIntake(DocumentStore documents, int maxBytes) {
        this.documents = documents;
        this.maxBytes = maxBytes;
    }

    int maxBytes() {
        return maxBytes;
    }

    /**
     * @param id the caller's document id, or null for a new one
     * @throws IllegalArgumentException for an unsupported type, unreadable content or no text at all
     */
    DocumentInfo add(String id, String tenantId, String userId, String title, String contentType, byte[] bytes)
            throws SQLException {
        if (bytes.length > maxBytes) {
            throw new IllegalArgumentException("The document has " + bytes.length + " bytes; the limit is " + maxBytes);
        }
        DocumentText.Extracted extracted = DocumentText.extract(bytes, contentType);
        // A document is content, not a field a caller can retype: what PostgreSQL cannot store is replaced.
        String text = StorableText.of(extracted.text());
        if (text.isBlank()) {
            throw new IllegalArgumentException("The document contains no text");
        }
        String t = StorableText.of(title != null && !title.isBlank() ? title.strip()
                : extracted.title() != null ? extracted.title() : "untitled");
        t = t.length() > MAX_TITLE ? t.substring(0, MAX_TITLE) : t;
        String type = contentType == null || contentType.isBlank() ? "text/plain" : contentType.split(";")[0].strip();
        String user = userId == null || userId.isBlank() ? "anonymous" : userId;
        return id == null ? documents.add(tenantId, user, t, type, text)
                : documents.add(id, tenantId, user, t, type, text);
    }

    /** A record from {@code askflow.documents}; its tenant comes from the record (trusted producers). */
    DocumentInfo add(byte[] record, String defaultTenant) throws SQLException {
        DocumentUpload u = Json.read(record, DocumentUpload.class);
        String tenant = u.tenantId() != null ? u.tenantId() : defaultTenant;
        if (tenant == null) {
            throw new IllegalArgumentException("tenantId is required");
        }
        if (u.documentId() == null || u.documentId().isBlank()) {
            throw new IllegalArgumentException("documentId is required, so that a redelivered upload is stored once");
        }
        byte[] bytes = u.contentBase64() != null ? Base64.getDecoder().decode(u.contentBase64())
                : u.text() != null ? u.text().getBytes(StandardCharsets.UTF_8) : new byte[0];
        return add(u.documentId(), tenant, u.userId(), u.title(), u.contentType(), bytes);
    }
}
