package io.askflow.message;

import java.util.Set;

/**
 * One earlier message of a conversation as the caller has it, for a request that brings its own
 * history instead of using the one askflow stores (the OpenAI-compatible front door without a
 * conversation id sends the request's earlier messages this way).
 *
 * @param role {@code system}, {@code user} or {@code assistant}; the gateway refuses anything else
 */
public record HistoryMessage(String role, String content) {
    public static final Set<String> ROLES = Set.of("system", "user", "assistant");

    /** The message as the model is sent it; only valid roles reach the context-builder. */
    public ChatMessage toChatMessage() {
        return switch (role) {
            case "system" -> ChatMessage.system(content);
            case "assistant" -> ChatMessage.assistant(content);
            default -> ChatMessage.user(content);
        };
    }
}
