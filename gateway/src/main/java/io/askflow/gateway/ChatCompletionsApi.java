package io.askflow.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.askflow.knowledge.Tenant;
import io.askflow.message.Answer;
import io.askflow.message.ErrorCode;
import io.askflow.message.HistoryMessage;
import io.askflow.message.Json;
import io.askflow.message.MessageFormatException;
import io.askflow.message.MetadataKeys;
import io.askflow.message.PromptRequest;
import io.askflow.message.Usage;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI-compatible front door: {@code POST /v1/chat/completions} and {@code GET /v1/models}, so
 * that an OpenAI SDK with the gateway as its base URL gets askflow's system around the model. The
 * last message is the prompt; the conversation is named by the body field
 * {@value #CONVERSATION_FIELD} or the header {@value #CONVERSATION_HEADER} (then askflow's stored
 * history is used), else the request's earlier messages are the history. Callers authenticate
 * with their askflow key as the SDK's API key; errors are OpenAI's shape ({@link OpenAiError}).
 */
final class ChatCompletionsApi implements HttpApi.Door {
    private static final Logger LOG = LoggerFactory.getLogger(ChatCompletionsApi.class);
    static final String CONVERSATION_FIELD = "askflow_conversation_id";
    static final String CONVERSATION_HEADER = "X-Askflow-Conversation-Id";
    /** Optional: makes a retried call (openai-java retries timeouts, 408, 409, 429 and 5xx) the same request, not a new turn. */
    static final String REQUEST_ID_HEADER = "X-Askflow-Request-Id";
    /** How long past the turn's deadline a caller waits for its answer, which by then is on its way. */
    private static final Duration DEADLINE_MARGIN = Duration.ofSeconds(5);
    /** Parameters askflow cannot honour: refusing them beats an answer the caller did not ask for. */
    private static final List<String> REFUSED = List.of("tools", "functions", "tool_choice", "function_call", "audio",
            "prediction");
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

    /** What a chat-completions request asks for, in askflow's terms. */
    record Ask(PromptRequest request, String model, boolean stream, boolean includeUsage) {
    }

    private final Authenticator authenticator;
    private final HttpSubmitter submitter;
    private final AnswerBook answers;
    private final int maxRequestBytes;
    private final List<String> models;
    private final Clock clock;
    private final TurnEvents events;
    private final Duration heartbeat;

    /** @param models what {@code ASKFLOW_MODELS} (or else {@code ASKFLOW_DEFAULT_MODEL}) offers every tenant */
    ChatCompletionsApi(Authenticator authenticator, HttpSubmitter submitter, AnswerBook answers, int maxRequestBytes,
            List<String> models, Clock clock, TurnEvents events, Duration heartbeat) {
        this.events = events;
        this.heartbeat = heartbeat;
        this.authenticator = authenticator;
        this.submitter = submitter;
        this.answers = answers;
        this.maxRequestBytes = maxRequestBytes;
        this.models = List.copyOf(models);
        this.clock = clock;
    }

    @Override
    public boolean owns(String path) {
        return path.equals("/v1/chat/completions") || path.equals("/v1/models") || path.startsWith("/v1/models/");
    }

    @Override
    public void serve(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        HttpCall anonymous = new HttpCall(ex, null, List.of());
        try {
            Tenant tenant = authenticator.authenticate(ex.getRequestHeaders());
            List<String> segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
            HttpCall call = new HttpCall(ex, tenant.id(), segments);
            if (path.equals("/v1/chat/completions") && call.method().equals("POST")) {
                complete(call, tenant);
            } else if (path.equals("/v1/models") && call.method().equals("GET")) {
                ObjectNode list = Json.mapper().createObjectNode().put("object", "list");
                ArrayNode data = list.putArray("data");
                offered(tenant).forEach(m -> data.add(model(m)));
                call.respond(200, list);
            } else if (segments.size() == 3 && call.method().equals("GET")) {
                String id = segments.get(2);
                if (!offered(tenant).contains(id)) {
                    throw OpenAiError.modelNotFound(id);
                }
                call.respond(200, model(id));
            } else {
                throw OpenAiError.unknownUrl(call.method(), path);
            }
        } catch (HttpCall.Failure f) {
            send(anonymous, OpenAiError.of(f.code, f.getMessage(), null), null);
        } catch (OpenAiError.Raised r) {
            send(anonymous, r.error, null);
        } catch (Exception e) {
            LOG.error("HTTP {} {} failed", ex.getRequestMethod(), path, e);
            send(anonymous, OpenAiError.of(ErrorCode.INTERNAL,
                    "The gateway failed to handle the request; it has been logged", null), null);
        }
    }

    private void complete(HttpCall call, Tenant tenant) throws Exception {
        Ask ask = parse(call.body(maxRequestBytes), call, tenant);
        String fallbackId = UUID.randomUUID().toString();
        Admission.Result result = submitter.submit(call, Json.write(ask.request()), fallbackId);
        switch (result.verdict()) {
            case Verdict.Rejected r -> send(call, OpenAiError.of(r.code(), r.message(), param(r.message())),
                    ids(r.requestId(), r.conversationId()));
            case Verdict.Accepted a when ask.stream() -> stream(call, ask, a.turn().requestId());
            case Verdict.Accepted a -> {
                String requestId = a.turn().requestId();
                Duration wait = Duration.between(clock.instant(), a.turn().deadline()).plus(DEADLINE_MARGIN);
                Optional<Answer> answer = answers.await(call.tenantId(), requestId, wait,
                        stored -> !AnswerBook.isRejection(stored));
                if (answer.isEmpty()) {
                    send(call, OpenAiError.of(ErrorCode.DEADLINE_EXCEEDED,
                            "No answer arrived before the turn's deadline " + a.turn().deadline(), null),
                            ids(requestId, result.conversationId()));
                } else if (answer.get().error() != null) {
                    Answer failed = answer.get();
                    send(call, OpenAiError.of(failed.error().code(), failed.error().message(), null),
                            ids(requestId, result.conversationId()));
                } else {
                    call.respond(200, completion(answer.get(), ask.model()));
                }
            }
        }
    }

    /**
     * {@code stream: true}: the turn's events as {@code chat.completion.chunk}s. The first chunk
     * carries the role, each delta its text, the last one {@code finish_reason} and askflow's extra
     * field (with the committed answer's text), then the usage chunk if asked for, then
     * {@code [DONE]}. A failed turn ends with OpenAI's in-stream {@code error} event instead.
     */
    private void stream(HttpCall call, Ask ask, String requestId) throws IOException, InterruptedException {
        HttpExchange ex = call.exchange();
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.getResponseHeaders().set("X-Accel-Buffering", "no");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        Object lock = new Object();
        long created = clock.instant().getEpochSecond();
        StreamedText text = new StreamedText();
        write(out, lock, chunk(requestId, created, ask, Json.mapper().createObjectNode().put("role", "assistant").put("content", ""),
                null));
        try (TurnEvents.Subscription sub = events.follow(call.tenantId(), requestId, 0, (event, answer) -> {
            switch (event.kind()) {
                case DELTA -> {
                    String fresh = text.delta(event.round(), event.text());
                    if (!fresh.isEmpty()) {
                        write(out, lock, chunk(requestId, created, ask, Json.mapper().createObjectNode().put("content", fresh),
                                null));
                    }
                }
                case RETRY -> text.retry(event.round());
                case PROGRESS -> {
                    // chat.completion.chunk has no place for progress; GET /v1/answers/{id}/events has it
                }
                case ANSWER -> finish(out, lock, requestId, created, ask, text, answer);
            }
        })) {
            EventStream.awaitEnd(sub, out, lock, heartbeat);
        } catch (IOException clientGone) {
            // nothing left to send to a client that closed the connection
        }
    }

    private static void finish(OutputStream out, Object lock, String requestId, long created, Ask ask, StreamedText text,
            Answer answer) throws IOException {
        if (answer.error() != null) {
            OpenAiError e = OpenAiError.of(answer.error().code(), answer.error().message(), null);
            ObjectNode body = e.body();
            body.set("askflow", ids(answer.requestId(), answer.conversationId()));
            write(out, lock, "data: " + Json.writeString(body) + "\n\n");
        } else {
            String rest = text.rest(answer.text());
            if (!rest.isEmpty()) {
                write(out, lock, chunk(requestId, created, ask, Json.mapper().createObjectNode().put("content", rest), null));
            }
            ObjectNode last = chunkNode(requestId, created, ask, Json.mapper().createObjectNode(), "stop");
            last.set("askflow", askflow(answer).put("text", answer.text()));
            write(out, lock, "data: " + Json.writeString(last) + "\n\n");
            if (ask.includeUsage()) {
                ObjectNode usage = head(requestId, created, ask.model(), "chat.completion.chunk");
                usage.putArray("choices");
                usage.set("usage", usage(answer.usage()));
                write(out, lock, "data: " + Json.writeString(usage) + "\n\n");
            }
        }
        write(out, lock, "data: [DONE]\n\n");
    }

    private static String chunk(String requestId, long created, Ask ask, ObjectNode delta, String finishReason) {
        return "data: " + Json.writeString(chunkNode(requestId, created, ask, delta, finishReason)) + "\n\n";
    }

    private static ObjectNode chunkNode(String requestId, long created, Ask ask, ObjectNode delta, String finishReason) {
        ObjectNode chunk = head(requestId, created, ask.model(), "chat.completion.chunk");
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        if (ask.includeUsage()) {
            chunk.putNull("usage");
        }
        return chunk;
    }

    private static void write(OutputStream out, Object lock, String text) throws IOException {
        EventStream.write(out, lock, text);
    }

    /** The request in askflow's terms, or an {@code invalid_request_error} naming the parameter. */
    Ask parse(byte[] body, HttpCall call, Tenant tenant) {
        JsonNode root;
        try {
            root = Json.treeAsSent(body);
        } catch (MessageFormatException e) {
            throw OpenAiError.invalid("The body is not valid JSON: " + e.getMessage(), null);
        }
        if (!root.isObject()) {
            throw OpenAiError.invalid("The body must be a JSON object", null);
        }
        for (String refused : REFUSED) {
            if (root.hasNonNull(refused)) {
                throw OpenAiError.invalid("askflow runs its own tools and does not accept '" + refused
                        + "'; leave it out", refused);
            }
        }
        if (root.hasNonNull("n") && !(root.get("n").canConvertToInt() && root.get("n").asInt() == 1)) {
            throw OpenAiError.invalid("askflow writes one choice per request; n must be 1", "n");
        }
        JsonNode format = root.path("response_format");
        if (!format.isMissingNode() && !format.isNull() && !"text".equals(format.path("type").asText())) {
            throw OpenAiError.invalid("response_format other than text is not offered here (use /v1/jobs for schemas)",
                    "response_format");
        }
        String model = optionalText(root, "model");
        if (model != null && !offered(tenant).contains(model)) {
            throw OpenAiError.modelNotFound(model);
        }
        JsonNode messages = root.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw OpenAiError.invalid("messages must be a non-empty array", "messages");
        }
        List<HistoryMessage> all = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            all.add(message(messages.get(i), "messages[" + i + "]"));
        }
        HistoryMessage last = all.getLast();
        if (!last.role().equals("user")) {
            throw OpenAiError.invalid("The last message must be the user's (it is the prompt)", "messages");
        }
        String conversation = conversation(root, call);
        Map<String, String> metadata = metadata(root.path("metadata"));
        PromptRequest request = PromptRequest.builder()
                .requestId(call.header(REQUEST_ID_HEADER).orElse(null))
                .conversationId(conversation)
                .userId(optionalText(root, "user"))
                .prompt(last.content())
                .model(model)
                .metadata(metadata)
                // Without a conversation the caller holds the history; with one, askflow does.
                .history(conversation == null ? all.subList(0, all.size() - 1) : null)
                .build();
        boolean stream = root.path("stream").asBoolean(false);
        boolean includeUsage = root.path("stream_options").path("include_usage").asBoolean(false);
        return new Ask(request, model != null ? model : defaultModel(tenant), stream, includeUsage);
    }

    private static HistoryMessage message(JsonNode m, String at) {
        String role = m.path("role").asText("");
        if (!ROLES.contains(role)) {
            throw OpenAiError.invalid(at + ".role must be system, developer, user or assistant (askflow runs the tools)",
                    "messages");
        }
        if (m.hasNonNull("tool_calls") || m.hasNonNull("function_call")) {
            throw OpenAiError.invalid(at + " carries tool calls; askflow runs its own tools", "messages");
        }
        JsonNode content = m.path("content");
        String text;
        if (content.isTextual()) {
            text = content.textValue();
        } else if (content.isArray()) {
            StringBuilder joined = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw OpenAiError.invalid(at + ".content may hold only text parts", "messages");
                }
                joined.append(part.path("text").textValue());
            }
            text = joined.toString();
        } else if ((content.isNull() || content.isMissingNode()) && role.equals("assistant")) {
            text = "";
        } else {
            throw OpenAiError.invalid(at + ".content must be a string or an array of text parts", "messages");
        }
        return new HistoryMessage(role.equals("developer") ? "system" : role, text);
    }

    private static String conversation(JsonNode root, HttpCall call) {
        String inBody = optionalText(root, CONVERSATION_FIELD);
        Optional<String> inHeader = call.header(CONVERSATION_HEADER);
        if (inBody != null && inHeader.isPresent() && !inBody.equals(inHeader.get())) {
            throw OpenAiError.invalid(CONVERSATION_FIELD + " and the " + CONVERSATION_HEADER
                    + " header name different conversations", CONVERSATION_FIELD);
        }
        return inBody != null ? inBody : inHeader.orElse(null);
    }

    private static Map<String, String> metadata(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw OpenAiError.invalid("metadata must be an object of strings", "metadata");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (var it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isTextual()) {
                throw OpenAiError.invalid("metadata." + e.getKey() + " must be a string", "metadata");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    private static String optionalText(JsonNode root, String field) {
        JsonNode n = root.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw OpenAiError.invalid(field + " must be a string", field);
        }
        return n.textValue();
    }

    /** The parameter a validator message is about: it names askflow's field, which maps to OpenAI's. */
    private static String param(String message) {
        if (message == null) {
            return null;
        }
        if (message.startsWith("userId")) {
            return "user";
        }
        if (message.startsWith("conversationId")) {
            return CONVERSATION_FIELD;
        }
        if (message.startsWith("model")) {
            return "model";
        }
        if (message.startsWith("metadata")) {
            return "metadata";
        }
        return message.startsWith("prompt") || message.startsWith("history") ? "messages" : null;
    }

    List<String> offered(Tenant tenant) {
        Set<String> out = new LinkedHashSet<>(models);
        if (tenant.defaultModel() != null) {
            out.add(tenant.defaultModel());
        }
        return List.copyOf(out);
    }

    private String defaultModel(Tenant tenant) {
        return tenant.defaultModel() != null ? tenant.defaultModel() : models.getFirst();
    }

    private static ObjectNode model(String id) {
        return Json.mapper().createObjectNode().put("id", id).put("object", "model").put("created", 0)
                .put("owned_by", "askflow");
    }

    /** askflow's own facts about the turn, in the extra field {@code askflow} of responses and chunks. */
    static ObjectNode ids(String requestId, String conversationId) {
        ObjectNode askflow = Json.mapper().createObjectNode();
        askflow.put("requestId", requestId);
        askflow.put("conversationId", conversationId);
        return askflow;
    }

    static ObjectNode askflow(Answer a) {
        ObjectNode askflow = ids(a.requestId(), a.conversationId());
        askflow.put("toolRounds", a.toolRounds());
        askflow.set("sources", Json.mapper().valueToTree(a.sources() == null ? List.of() : a.sources()));
        askflow.set("metadata", Json.mapper().valueToTree(a.metadata() == null ? Map.of() : a.metadata()));
        return askflow;
    }

    private ObjectNode completion(Answer a, String requestedModel) {
        ObjectNode root = head(a, requestedModel, "chat.completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", a.text());
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", "stop");
        root.set("usage", usage(a.usage()));
        root.set("askflow", askflow(a));
        return root;
    }

    static ObjectNode head(Answer a, String requestedModel, String object) {
        Instant created = a.createdAt() != null ? a.createdAt() : Instant.now();
        ObjectNode root = head(a.requestId(), created.getEpochSecond(), a.model() != null ? a.model() : requestedModel, object);
        root.put("system_fingerprint", a.metadata() == null ? null : a.metadata().get(MetadataKeys.SYSTEM_FINGERPRINT));
        return root;
    }

    static ObjectNode head(String requestId, long created, String model, String object) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("id", "chatcmpl-" + requestId);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        return root;
    }

    static ObjectNode usage(Usage u) {
        ObjectNode usage = Json.mapper().createObjectNode();
        usage.put("prompt_tokens", u == null ? 0 : u.promptTokens());
        usage.put("completion_tokens", u == null ? 0 : u.completionTokens());
        usage.put("total_tokens", u == null ? 0 : u.totalTokens());
        return usage;
    }

    private static void send(HttpCall call, OpenAiError error, ObjectNode askflow) throws IOException {
        ObjectNode body = error.body();
        if (askflow != null) {
            body.set("askflow", askflow);
        }
        call.respond(error.status(), body);
    }
}
