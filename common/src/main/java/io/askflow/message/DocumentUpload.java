package io.askflow.message;

/**
 * A document pushed to {@code askflow.documents} (JSON), keyed by tenant. The gateway extracts its
 * text, chunks and indexes it for {@code search_documents} and batch jobs. Like requests, the topic
 * is written by trusted producers, so {@code tenantId} is taken as given (see the README).
 *
 * @param documentId the producer's id for the document; an upload redelivered with the same id is stored once
 * @param contentType {@code text/plain}, {@code text/markdown}, {@code text/html} or {@code application/pdf}
 * @param text the content as text, for the text types
 * @param contentBase64 the content as base64 bytes, for PDF (or any type)
 */
public record DocumentUpload(int schemaVersion, String documentId, String tenantId, String userId, String title,
        String contentType, String text, String contentBase64) {
}
