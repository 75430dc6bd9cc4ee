package io.askflow.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;

/**
 * One message of the transcript sent to the model, in askflow's own terms so that no topic's
 * schema depends on an SDK's classes. Each role is its own record, so a system message cannot
 * carry tool calls and a tool result always names its call; on the wire {@code role} says which,
 * and every message has the same five fields as before the variants existed ({@code toolCalls}
 * empty, {@code toolCallId} and {@code name} absent where the role has none). Those a role does
 * not have are written (as before) but never read: a system message sent with tool calls is read
 * without them.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "role")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ChatMessage.System.class, name = "system"),
        @JsonSubTypes.Type(value = ChatMessage.User.class, name = "user"),
        @JsonSubTypes.Type(value = ChatMessage.Assistant.class, name = "assistant"),
        @JsonSubTypes.Type(value = ChatMessage.ToolResult.class, name = "tool")})
public sealed interface ChatMessage {

    enum Role {
        SYSTEM, USER, ASSISTANT, TOOL;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @JsonProperty("role")
    Role role();

    String content();

    /** The tools an assistant message asks for; empty for every other role. */
    @JsonProperty("toolCalls")
    default List<ToolCall> toolCalls() {
        return List.of();
    }

    /** On a tool result: the call it answers; null for every other role. */
    @JsonProperty("toolCallId")
    default String toolCallId() {
        return null;
    }

    /** On a tool result: the tool that produced it; null for every other role. */
    @JsonProperty("name")
    default String name() {
        return null;
    }

    default boolean requestsTools() {
        return !toolCalls().isEmpty();
    }

    static ChatMessage system(String content) {
        return new System(content);
    }

    static ChatMessage user(String content) {
        return new User(content);
    }

    static ChatMessage assistant(String content) {
        return new Assistant(content, List.of());
    }

    static ChatMessage assistantCalling(String content, List<ToolCall> calls) {
        return new Assistant(content, calls);
    }

    static ChatMessage toolResult(ToolCall call, String content) {
        return new ToolResult(call.id(), call.name(), content);
    }

    @JsonIgnoreProperties(value = {"toolCalls", "toolCallId", "name"}, allowGetters = true)
    record System(String content) implements ChatMessage {
        @Override
        public Role role() {
            return Role.SYSTEM;
        }
    }

    @JsonIgnoreProperties(value = {"toolCalls", "toolCallId", "name"}, allowGetters = true)
    record User(String content) implements ChatMessage {
        @Override
        public Role role() {
            return Role.USER;
        }
    }

    /** @param toolCalls the tools the model asks for; empty for a plain reply */
    @JsonIgnoreProperties(value = {"toolCallId", "name"}, allowGetters = true)
    record Assistant(String content, List<ToolCall> toolCalls) implements ChatMessage {
        public Assistant {
            toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        }

        @Override
        public Role role() {
            return Role.ASSISTANT;
        }
    }

    /** @param toolCallId the call this result answers */
    @JsonIgnoreProperties(value = "toolCalls", allowGetters = true)
    record ToolResult(String toolCallId, String name, String content) implements ChatMessage {
        @Override
        public Role role() {
            return Role.TOOL;
        }
    }
}
