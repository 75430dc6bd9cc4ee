package io.askflow.message;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The whole state of a turn between model calls. It travels on {@code askflow.model-calls} (ready
 * for the model) and on {@code askflow.tool-calls} (its last message is the assistant's request for
 * tools). Carrying the full transcript keeps model-caller and tool-runner stateless.
 *
 * @param round the number of tool rounds already run for this turn
 * @param tools the tools this turn may offer the model
 * @param sources what the tools consulted so far, numbered for citation
 * @param usage tokens spent so far on this turn
 * @param responseFormat optional structured-output schema the final answer must follow
 */
public record ModelCall(
        @JsonUnwrapped Envelope envelope,
        String model,
        int round,
        List<ChatMessage> messages,
        List<ToolSpec> tools,
        List<Source> sources,
        Usage usage,
        Map<String, String> metadata,
        ResponseFormat responseFormat) implements AskflowMessage {

    public ModelCall {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(envelope.requestId(), "requestId");
        Objects.requireNonNull(envelope.tenantId(), "tenantId");
        Objects.requireNonNull(envelope.conversationId(), "conversationId");
        Objects.requireNonNull(envelope.deadline(), "deadline");
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
        tools = tools == null ? List.of() : List.copyOf(tools);
        sources = sources == null ? List.of() : List.copyOf(sources);
        usage = usage == null ? Usage.ZERO : usage;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public ChatMessage lastMessage() {
        return messages.get(messages.size() - 1);
    }

    /** The same turn with the model's reply appended and its usage added. */
    public ModelCall withReply(ChatMessage reply, Usage callUsage) {
        List<ChatMessage> next = new ArrayList<>(messages);
        next.add(reply);
        return toBuilder().messages(next).usage(usage.plus(callUsage)).build();
    }

    /** The next round: tool results appended, the sources they used merged in. */
    public ModelCall nextRound(List<ChatMessage> toolResults, List<Source> allSources) {
        List<ChatMessage> next = new ArrayList<>(messages);
        next.addAll(toolResults);
        return toBuilder().round(round + 1).messages(next).sources(allSources).build();
    }

    /** The same turn with one metadata entry set. */
    public ModelCall withMetadata(String key, String value) {
        Map<String, String> next = new HashMap<>(metadata);
        next.put(key, value);
        return toBuilder().metadata(next).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().envelope(envelope).model(model).round(round).messages(messages).tools(tools)
                .sources(sources).usage(usage).metadata(metadata).responseFormat(responseFormat);
    }

    public static final class Builder {
        private Envelope envelope;
        private String model;
        private int round;
        private List<ChatMessage> messages;
        private List<ToolSpec> tools;
        private List<Source> sources;
        private Usage usage;
        private Map<String, String> metadata;
        private ResponseFormat responseFormat;

        private Builder() {
        }

        public Builder envelope(Envelope value) {
            envelope = value;
            return this;
        }

        public Builder model(String value) {
            model = value;
            return this;
        }

        public Builder round(int value) {
            round = value;
            return this;
        }

        public Builder messages(List<ChatMessage> value) {
            messages = value;
            return this;
        }

        public Builder tools(List<ToolSpec> value) {
            tools = value;
            return this;
        }

        public Builder sources(List<Source> value) {
            sources = value;
            return this;
        }

        public Builder usage(Usage value) {
            usage = value;
            return this;
        }

        public Builder metadata(Map<String, String> value) {
            metadata = value;
            return this;
        }

        public Builder responseFormat(ResponseFormat value) {
            responseFormat = value;
            return this;
        }

        public ModelCall build() {
            return new ModelCall(envelope, model, round, messages, tools, sources, usage, metadata, responseFormat);
        }
    }
}
