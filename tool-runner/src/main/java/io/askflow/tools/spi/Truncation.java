package io.askflow.tools.spi;

/**
 * Cuts text to a character budget and says how much was cut, so the model knows it saw only part
 * of the output instead of mistaking the part for the whole.
 */
public final class Truncation {
    private Truncation() {
    }

    /** {@code text} if it fits, else a prefix plus a marker, together at most {@code maxChars} long. */
    public static String truncate(String text, int maxChars) {
        if (text.length() <= maxChars) {
            return text;
        }
        // The marker's length depends on the count it reports, which depends on the marker's length.
        int keep = Math.max(0, maxChars - marker(text.length()).length());
        keep = Math.max(0, maxChars - marker(text.length() - keep).length());
        if (keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1))) {
            keep--; // never split a surrogate pair into an unpaired half
        }
        return text.substring(0, keep) + marker(text.length() - keep);
    }

    private static String marker(int cut) {
        return "\n[truncated: " + cut + " more characters]";
    }
}
