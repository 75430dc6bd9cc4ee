package io.askflow.message;

/**
 * Something a tool consulted, numbered in the order it was first used so that answers can cite
 * {@code [1]}, {@code [2]}.
 *
 * @param kind {@code url} or {@code document}
 */
public record Source(int number, String kind, String url, String title, String documentId) {
    public static Source url(int number, String url, String title) {
        return new Source(number, "url", url, title, null);
    }

    public Source renumbered(int newNumber) {
        return new Source(newNumber, kind, url, title, documentId);
    }

    /** Two sources are the same citation when they point at the same page or document. */
    public boolean sameTarget(Source other) {
        return java.util.Objects.equals(kind, other.kind) && java.util.Objects.equals(url, other.url)
                && java.util.Objects.equals(documentId, other.documentId);
    }
}
