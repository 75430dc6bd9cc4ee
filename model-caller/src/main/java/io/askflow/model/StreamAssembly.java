package io.askflow.model;

import com.openai.models.chat.completions.ChatCompletionChunk;
import io.askflow.message.ChatMessage;
import io.askflow.message.ErrorCode;
import io.askflow.message.ToolCall;
import io.askflow.message.Usage;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds one reply from a streamed chat completion's chunks, as OpenAI sends them: text in pieces;
 * each tool call under its {@code index}, its id and name in its first chunk only, its arguments in
 * pieces, and the pieces of parallel calls interleaved; the finish reason on the last chunk of the
 * choice; usage (with {@code stream_options.include_usage}) on a final chunk without choices. Text
 * is passed on as it arrives. A stream that ends without a finish reason was cut off: that is a
 * retriable model_error, never a reply.
 */
final class StreamAssembly {
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder refusal = new StringBuilder();
    private final Map<Long, CallParts> calls = new TreeMap<>();
    private final ChatModel.Deltas deltas;
    private String finishReason;
    private Usage usage = Usage.ZERO;
    private String model;
    private String fingerprint;
    private boolean anyChoice;

    private static final class CallParts {
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }

    StreamAssembly(ChatModel.Deltas deltas) {
        this.deltas = deltas;
    }

    @SuppressWarnings("deprecation") // systemFingerprint(): where the offline model says it is not GPT
    void add(ChatCompletionChunk chunk) {
        model = chunk.model();
        chunk.systemFingerprint().ifPresent(f -> fingerprint = f);
        chunk.usage().ifPresent(u -> usage = new Usage(u.promptTokens(), u.completionTokens(), u.totalTokens()));
        for (ChatCompletionChunk.Choice choice : chunk.choices()) {
            if (choice.index() != 0) {
                continue; // askflow asks for one choice
            }
            anyChoice = true;
            ChatCompletionChunk.Choice.Delta delta = choice.delta();
            delta.content().filter(s -> !s.isEmpty()).ifPresent(piece -> {
                text.append(piece);
                deltas.text(piece);
            });
            delta.refusal().filter(s -> !s.isEmpty()).ifPresent(piece -> {
                refusal.append(piece);
                deltas.text(piece);
            });
            for (ChatCompletionChunk.Choice.Delta.ToolCall part : delta.toolCalls().orElse(List.of())) {
                CallParts c = calls.computeIfAbsent(part.index(), i -> new CallParts());
                part.id().filter(s -> !s.isEmpty()).ifPresent(id -> c.id = c.id == null ? id : c.id);
                part.function().ifPresent(f -> {
                    // Some servers repeat the name in every chunk; OpenAI sends it once.
                    f.name().filter(n -> !n.isEmpty() && !n.equals(c.name)).ifPresent(n -> c.name = c.name == null ? n : c.name + n);
                    f.arguments().ifPresent(c.arguments::append);
                });
            }
            choice.finishReason().ifPresent(r -> finishReason = r.asString());
        }
    }

    ChatModel.Reply reply() {
        if (!anyChoice) {
            throw new ModelFailure(ErrorCode.MODEL_ERROR, true, null, "The model API returned no choices", null);
        }
        if (finishReason == null) {
            throw new ModelFailure(ErrorCode.MODEL_ERROR, true, null,
                    "The model's stream ended before its reply was complete", null);
        }
        List<ToolCall> toolCalls = calls.entrySet().stream().map(e -> new ToolCall(
                e.getValue().id != null ? e.getValue().id : "call_" + e.getKey(),
                e.getValue().name == null ? "" : e.getValue().name, e.getValue().arguments.toString())).toList();
        String content = !text.isEmpty() ? text.toString() : !refusal.isEmpty() ? refusal.toString() : null;
        ChatMessage message = toolCalls.isEmpty() ? ChatMessage.assistant(content == null ? "" : content)
                : ChatMessage.assistantCalling(content, toolCalls);
        return new ChatModel.Reply(message, usage, model, fingerprint);
    }
}
