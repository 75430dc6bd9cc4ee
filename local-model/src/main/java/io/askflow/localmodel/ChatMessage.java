package io.askflow.localmodel;

import java.util.List;
import java.util.Objects;

/**
 * One entry of {@code messages}. Content given as an array of parts is flattened to its text parts,
 * because backends here only reason about text.
 *
 * @param content    text content, or null (e.g. an assistant message that only calls tools)
 * @param toolCalls  calls made by an assistant message; empty otherwise
 * @param toolCallId for role {@code tool}: the call this message answers
 * @param name       optional participant name
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId, String name) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public static ChatMessage of(String role, String content) {
        return new ChatMessage(role, content, List.of(), null, null);
    }

    public boolean hasRole(String expected) {
        return role.equals(expected);
    }

    /** Content or the empty string, so callers need no null checks for text matching. */
    public String text() {
        return content == null ? "" : content;
    }
}
