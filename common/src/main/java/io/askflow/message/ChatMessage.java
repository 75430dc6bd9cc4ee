package io.askflow.message;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One message of the transcript sent to the model, in askflow's own terms so that no topic's
 * schema depends on an SDK's classes.
 *
 * @param toolCalls set on an assistant message that asks for tools
 * @param toolCallId set on a tool message: the call it answers
 * @param name set on a tool message: the tool that produced it
 */
public record ChatMessage(Role role, String content, List<ToolCall> toolCalls, String toolCallId, String name) {

    public enum Role {
        SYSTEM, USER, ASSISTANT, TOOL;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content, null, null, null);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content, null, null, null);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content, null, null, null);
    }

    public static ChatMessage assistantCalling(String content, List<ToolCall> calls) {
        return new ChatMessage(Role.ASSISTANT, content, calls, null, null);
    }

    public static ChatMessage toolResult(ToolCall call, String content) {
        return new ChatMessage(Role.TOOL, content, null, call.id(), call.name());
    }

    public boolean requestsTools() {
        return role == Role.ASSISTANT && !toolCalls.isEmpty();
    }
}
