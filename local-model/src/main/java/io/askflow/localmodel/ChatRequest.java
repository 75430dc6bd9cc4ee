package io.askflow.localmodel;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The parts of a chat-completions request that backends reason about. {@code raw} keeps the whole
 * request body so tests can assert on fields this value does not model; it is a private copy, so
 * mutating it cannot affect anybody else.
 *
 * @param toolChoice     the {@code tool_choice} value as sent ("auto", "none", "required" or an object), or null
 * @param responseFormat the {@code response_format} object as sent, or null
 */
public record ChatRequest(
        String model,
        List<ChatMessage> messages,
        List<OfferedTool> tools,
        JsonNode toolChoice,
        boolean stream,
        boolean includeUsage,
        JsonNode responseFormat,
        JsonNode raw) {

    public ChatRequest {
        model = model == null ? "" : model;
        messages = List.copyOf(messages);
        tools = tools == null ? List.of() : List.copyOf(tools);
        toolChoice = toolChoice == null ? null : toolChoice.deepCopy();
        responseFormat = responseFormat == null ? null : responseFormat.deepCopy();
        raw = Objects.requireNonNull(raw, "raw").deepCopy();
    }

    /** @throws IllegalArgumentException when the JSON is not a usable chat-completions request */
    public static ChatRequest fromJson(JsonNode body) {
        return RequestParser.parse(body);
    }

    public Optional<ChatMessage> lastMessage() {
        return messages.isEmpty() ? Optional.empty() : Optional.of(messages.getLast());
    }

    public Optional<ChatMessage> lastUserMessage() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).hasRole("user")) {
                return Optional.of(messages.get(i));
            }
        }
        return Optional.empty();
    }

    public boolean offersTool(String name) {
        return tools.stream().anyMatch(t -> t.name().equals(name));
    }

    /** The assistant's call a {@code tool} message answers, found by its id. */
    public Optional<ToolCall> toolCall(String id) {
        return messages.stream()
                .flatMap(m -> m.toolCalls().stream())
                .filter(c -> c.id().equals(id))
                .findFirst();
    }
}
