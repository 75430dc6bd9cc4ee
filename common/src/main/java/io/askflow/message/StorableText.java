package io.askflow.message;

/**
 * The characters PostgreSQL cannot store: U+0000, which neither {@code text} nor {@code jsonb}
 * accepts, and unpaired UTF-16 surrogates, which are not Unicode text at all (a UTF-8 encoder
 * refuses them or turns them into {@code ?}). Caller input containing them is refused; text askflow
 * cannot refuse (a model's answer, a tool's output, a document's extracted text) has each of them
 * replaced by U+FFFD, so the turn still ends with an answer.
 */
public final class StorableText {
    public static final char REPLACEMENT = '\uFFFD';

    private StorableText() {
    }

    /** The text with every unstorable character replaced by U+FFFD; the same instance when there is none. */
    public static String of(String text) {
        int bad = firstUnstorable(text);
        if (bad < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length()).append(text, 0, bad);
        for (int i = bad; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else {
                out.append(c == 0 || Character.isSurrogate(c) ? REPLACEMENT : c);
            }
        }
        return out.toString();
    }

    /** Index of the first unstorable character, or -1; null has none. */
    public static int firstUnstorable(String text) {
        if (text == null) {
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return i;
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return -1;
    }

    /** How a caller is told which character it must remove, e.g. {@code U+0000 (NUL)}. */
    public static String describe(char c) {
        return c == 0 ? "U+0000 (NUL)" : String.format("an unpaired surrogate U+%04X", (int) c);
    }
}
