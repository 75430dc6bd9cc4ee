package io.askflow.message;

import java.time.Instant;
import java.util.ArrayList;
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
 * @param jobId set when the turn belongs to a batch job; carried to the answer
 * @param responseFormat optional structured-output schema the final answer must follow
 */
public record ModelCall(
        int schemaVersion,
        String requestId,
        String tenantId,
        String conversationId,
        String userId,
        String model,
        int round,
        Instant deadline,
        List<ChatMessage> messages,
        List<ToolSpec> tools,
        List<Source> sources,
        Usage usage,
        Map<String, String> metadata,
        String jobId,
        ResponseFormat responseFormat) implements AskflowMessage {

    /** A model call without job or response format (the shape before these fields existed). */
    public ModelCall(int schemaVersion, String requestId, String tenantId, String conversationId, String userId,
            String model, int round, Instant deadline, List<ChatMessage> messages, List<ToolSpec> tools,
            List<Source> sources, Usage usage, Map<String, String> metadata) {
        this(schemaVersion, requestId, tenantId, conversationId, userId, model, round, deadline, messages, tools,
                sources, usage, metadata, null, null);
    }

    /**
     * Metadata key the tool-runner sets when it refused calls because a budget ran out (the value
     * names the budget); the model-caller then asks the model for a final answer without tools.
     */
    public static final String BUDGET_EXHAUSTED = "askflow.budget.exhausted";

    public ModelCall {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(conversationId, "conversationId");
        Objects.requireNonNull(deadline, "deadline");
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
        return new ModelCall(schemaVersion, requestId, tenantId, conversationId, userId, model, round, deadline, next,
                tools, sources, usage.plus(callUsage), metadata, jobId, responseFormat);
    }

    /** The next round: tool results appended, the sources they used merged in. */
    public ModelCall nextRound(List<ChatMessage> toolResults, List<Source> allSources) {
        List<ChatMessage> next = new ArrayList<>(messages);
        next.addAll(toolResults);
        return new ModelCall(schemaVersion, requestId, tenantId, conversationId, userId, model, round + 1, deadline,
                next, tools, allSources, usage, metadata, jobId, responseFormat);
    }

    /** The same turn with one metadata entry set. */
    public ModelCall withMetadata(String key, String value) {
        Map<String, String> next = new java.util.HashMap<>(metadata);
        next.put(key, value);
        return new ModelCall(schemaVersion, requestId, tenantId, conversationId, userId, model, round, deadline, messages,
                tools, sources, usage, next, jobId, responseFormat);
    }
}
