package io.askflow.localmodel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link Reply} into the JSON OpenAI sends. Fields OpenAI always sends as {@code null}
 * ({@code refusal}, {@code logprobs}) are sent too, because openai-java's typed accessors treat a
 * missing required field differently from an explicit null.
 */
final class CompletionRenderer {

    /** How many pieces a streamed text or argument string is cut into: enough to exercise accumulation. */
    private static final int STREAM_PIECES = 4;

    private final ObjectMapper mapper;
    private final String id;
    private final long created;
    private final String model;
    private final String fingerprint;

    CompletionRenderer(ObjectMapper mapper, String model, String fingerprint) {
        this.mapper = mapper;
        this.id = ToolCall.newId("chatcmpl-");
        this.created = System.currentTimeMillis() / 1000;
        this.model = model;
        this.fingerprint = fingerprint;
    }

    ObjectNode completion(ChatRequest request, Reply reply) {
        ObjectNode root = header("chat.completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        switch (reply) {
            case Reply.Text t -> {
                message.put("content", t.content());
                message.putNull("refusal");
                choice.put("finish_reason", t.finishReason());
            }
            case Reply.ToolCalls c -> {
                message.putNull("content");
                message.putNull("refusal");
                ArrayNode calls = message.putArray("tool_calls");
                for (ToolCall call : c.calls()) {
                    ObjectNode node = calls.addObject();
                    node.put("id", call.id());
                    node.put("type", "function");
                    node.putObject("function").put("name", call.name()).put("arguments", call.arguments());
                }
                choice.put("finish_reason", "tool_calls");
            }
            case Reply.Error e -> throw new IllegalArgumentException("Errors are not completions");
        }
        message.putArray("annotations");
        choice.putNull("logprobs");
        root.set("usage", usage(request, reply));
        return root;
    }

    /** The chunk sequence, without the terminating {@code [DONE]} which is not JSON. */
    List<ObjectNode> chunks(ChatRequest request, Reply reply) {
        List<ObjectNode> chunks = new ArrayList<>();
        ObjectNode role = delta(chunks, request);
        role.put("role", "assistant");
        role.put("content", "");
        role.putNull("refusal");
        String finishReason;
        switch (reply) {
            case Reply.Text t -> {
                for (String piece : split(t.content())) {
                    delta(chunks, request).put("content", piece);
                }
                finishReason = t.finishReason();
            }
            case Reply.ToolCalls c -> {
                for (int i = 0; i < c.calls().size(); i++) {
                    ToolCall call = c.calls().get(i);
                    ObjectNode first = delta(chunks, request).putArray("tool_calls").addObject();
                    first.put("index", i).put("id", call.id()).put("type", "function");
                    first.putObject("function").put("name", call.name()).put("arguments", "");
                    for (String piece : split(call.arguments())) {
                        ObjectNode next = delta(chunks, request).putArray("tool_calls").addObject();
                        next.put("index", i);
                        next.putObject("function").put("arguments", piece);
                    }
                }
                finishReason = "tool_calls";
            }
            case Reply.Error e -> throw new IllegalArgumentException("Errors are not streamed");
        }
        ObjectNode last = chunk(request);
        ObjectNode choice = last.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        chunks.add(last);
        if (request.includeUsage()) {
            ObjectNode usage = header("chat.completion.chunk");
            usage.putArray("choices");
            usage.set("usage", usage(request, reply));
            chunks.add(usage);
        }
        return chunks;
    }

    ObjectNode error(Reply.Error e) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", e.message());
        error.put("type", e.type());
        error.put("param", e.param());
        error.put("code", e.code());
        return root;
    }

    private ObjectNode delta(List<ObjectNode> chunks, ChatRequest request) {
        ObjectNode chunk = chunk(request);
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        chunks.add(chunk);
        return delta;
    }

    private ObjectNode chunk(ChatRequest request) {
        ObjectNode chunk = header("chat.completion.chunk");
        if (request.includeUsage()) {
            chunk.putNull("usage");
        }
        return chunk;
    }

    private ObjectNode header(String object) {
        ObjectNode root = mapper.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        root.put("system_fingerprint", fingerprint);
        return root;
    }

    private ObjectNode usage(ChatRequest request, Reply reply) {
        Reply.Tokens scripted = switch (reply) {
            case Reply.Text t -> t.tokens();
            case Reply.ToolCalls c -> c.tokens();
            case Reply.Error e -> null;
        };
        long prompt = scripted != null ? scripted.prompt() : TokenEstimate.prompt(request);
        long completion = scripted != null ? scripted.completion() : TokenEstimate.completion(reply);
        ObjectNode usage = mapper.createObjectNode();
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        if (scripted != null) {
            usage.putObject("prompt_tokens_details").put("cached_tokens", scripted.cached());
            usage.putObject("completion_tokens_details").put("reasoning_tokens", scripted.reasoning());
        }
        return usage;
    }

    /** Cuts into roughly equal pieces without splitting a surrogate pair. */
    static List<String> split(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        int size = Math.max(1, (text.length() + STREAM_PIECES - 1) / STREAM_PIECES);
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(text.length(), start + size);
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end++;
            }
            pieces.add(text.substring(start, end));
            start = end;
        }
        return pieces;
    }
}
