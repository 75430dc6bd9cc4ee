package io.askflow.knowledge;

/** A ranked search hit: one chunk of a document, with what a citation needs. */
public record Passage(String documentId, String title, int ordinal, String text, double rank) {
}
