package io.askflow.knowledge;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a document into passages of about {@code target} characters, at paragraph breaks where it
 * can, else at sentence or word breaks. Passages are what search ranks and returns: small enough
 * to cite, large enough to carry their context.
 */
public final class Chunker {
    private final int target;

    public Chunker(int target) {
        if (target < 100) {
            throw new IllegalArgumentException("chunks below 100 characters carry no context");
        }
        this.target = target;
    }

    public List<String> split(String text) {
        List<String> chunks = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String paragraph : text.split("\\n\\s*\\n")) {
            String p = paragraph.strip().replaceAll("[ \\t]+", " ");
            if (p.isEmpty()) {
                continue;
            }
            if (current.length() > 0 && current.length() + p.length() + 2 > target) {
                chunks.add(current.toString());
                current.setLength(0);
            }
            while (p.length() > target) {
                int cut = breakBefore(p, target);
                if (current.length() > 0) {
                    chunks.add(current.toString());
                    current.setLength(0);
                }
                chunks.add(p.substring(0, cut).strip());
                p = p.substring(cut).strip();
            }
            if (current.length() > 0) {
                current.append("\n\n");
            }
            current.append(p);
        }
        if (current.length() > 0) {
            chunks.add(current.toString());
        }
        return chunks;
    }

    private static int breakBefore(String p, int limit) {
        int sentence = p.lastIndexOf(". ", limit);
        if (sentence > limit / 2) {
            return sentence + 1;
        }
        int space = p.lastIndexOf(' ', limit);
        return space > limit / 2 ? space : limit;
    }
}
