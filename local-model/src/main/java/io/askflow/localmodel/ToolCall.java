package io.askflow.localmodel;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * One function call requested by the assistant. {@code arguments} stays a JSON string because
 * that is how the wire format carries it, and models are allowed to produce invalid JSON there.
 */
public record ToolCall(String id, String name, String arguments) {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        arguments = arguments == null || arguments.isBlank() ? "{}" : arguments;
    }

    /** A call with a fresh {@code call_…} id, shaped like the ids OpenAI hands out. */
    public static ToolCall of(String name, String argumentsJson) {
        return new ToolCall(newId("call_"), name, argumentsJson);
    }

    static String newId(String prefix) {
        var sb = new StringBuilder(prefix);
        for (int i = 0; i < 24; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
