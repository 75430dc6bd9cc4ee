package io.askflow.knowledge;

/** A document and its text, its chunks joined in order. */
public record StoredDocument(DocumentInfo info, String text) {
}
