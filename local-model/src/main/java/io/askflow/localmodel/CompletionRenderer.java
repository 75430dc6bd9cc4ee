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
        if (reply instanceof Reply.Streamed s) {
            return completion(request, s.reply());
        }
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
            case Reply.Streamed s -> throw new AssertionError("unwrapped above");
        }
        message.putArray("annotations");
        choice.putNull("logprobs");
        root.set("usage", usage(request, reply));
        return root;
    }

    /**
     * The chunk sequence, without the terminating {@code [DONE]} which is not JSON. Of a
     * {@link Reply.Streamed}, chunk 0 is the role chunk and chunks 1.. up to {@code contentChunks}
     * the content, then the finish and usage chunks.
     */
    List<ObjectNode> chunks(ChatRequest request, Reply reply) {
        if (reply instanceof Reply.Streamed s) {
            return streamedChunks(request, s);
        }
        List<ObjectNode> chunks = roleChunk(request);
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
            case Reply.Streamed s -> throw new AssertionError("handled above");
        }
        finish(chunks, request, reply, finishReason);
        return chunks;
    }

    /** How many chunks of {@link #chunks} carry content (after the role chunk). */
    static int contentChunks(Reply.Streamed s) {
        return switch (s.reply()) {
            case Reply.Text t -> words(t.content()).size();
            case Reply.ToolCalls c -> c.calls().stream().mapToInt(x -> 1 + pieces(x.arguments()).size()).sum();
            default -> 0;
        };
    }

    private List<ObjectNode> streamedChunks(ChatRequest request, Reply.Streamed s) {
        List<ObjectNode> chunks = roleChunk(request);
        String finishReason;
        if (s.reply() instanceof Reply.Text t) {
            for (String word : words(t.content())) {
                delta(chunks, request).put("content", word);
            }
            finishReason = t.finishReason();
        } else {
            List<ToolCall> calls = ((Reply.ToolCalls) s.reply()).calls();
            List<List<String>> pieces = calls.stream().map(c -> pieces(c.arguments())).toList();
            int[] next = new int[calls.size()];
            // Each call's first chunk (id, name, no arguments yet), then the pieces of all calls, round-robin by index.
            for (int i = 0; i < calls.size(); i++) {
                ObjectNode first = delta(chunks, request).putArray("tool_calls").addObject();
                first.put("index", i).put("id", calls.get(i).id()).put("type", "function");
                first.putObject("function").put("name", calls.get(i).name()).put("arguments", "");
            }
            boolean more = true;
            while (more) {
                more = false;
                for (int i = 0; i < calls.size(); i++) {
                    if (next[i] < pieces.get(i).size()) {
                        ObjectNode part = delta(chunks, request).putArray("tool_calls").addObject();
                        part.put("index", i);
                        part.putObject("function").put("arguments", pieces.get(i).get(next[i]++));
                        more = true;
                    }
                }
            }
            finishReason = "tool_calls";
        }
        finish(chunks, request, s.reply(), finishReason);
        return chunks;
    }

    /** Words with their leading whitespace, as a tokenizer roughly cuts text. */
    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*\\S+|\\s+$").matcher(text);
        while (m.find()) {
            words.add(m.group());
        }
        return words;
    }

    private static List<String> pieces(String arguments) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < arguments.length(); i += Reply.Streamed.ARGUMENT_PIECE) {
            int end = Math.min(arguments.length(), i + Reply.Streamed.ARGUMENT_PIECE);
            if (end < arguments.length() && Character.isHighSurrogate(arguments.charAt(end - 1))) {
                end++;
            }
            pieces.add(arguments.substring(i, end));
            i = end - Reply.Streamed.ARGUMENT_PIECE;
        }
        return pieces;
    }

    private void finish(List<ObjectNode> chunks, ChatRequest request, Reply reply, String finishReason) {
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

    /** The first chunk OpenAI sends: the role, empty content. */
    private List<ObjectNode> roleChunk(ChatRequest request) {
        List<ObjectNode> chunks = new ArrayList<>();
        ObjectNode role = delta(chunks, request);
        role.put("role", "assistant");
        role.put("content", "");
        role.putNull("refusal");
        return chunks;
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
        long prompt = TokenEstimate.prompt(request);
        long completion = TokenEstimate.completion(reply);
        ObjectNode usage = mapper.createObjectNode();
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
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
