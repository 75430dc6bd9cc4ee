package io.askflow.gateway;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.askflow.knowledge.Tenant;
import io.askflow.message.Answer;
import io.askflow.message.ErrorCode;
import io.askflow.service.HttpServers;
import io.askflow.telemetry.SemConv;
import io.askflow.telemetry.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP API. Every call but {@code /healthz} is made as a tenant, the one its API key
 * names (see {@link Authenticator}); every lookup is confined to that tenant, and another tenant's
 * id answers exactly like an id that does not exist.
 * <ul>
 *   <li>{@code POST /v1/prompts[?wait=SECONDS]}, {@code GET /v1/answers/{requestId}[?wait=SECONDS]};</li>
 *   <li>{@code GET /v1/answers/{requestId}/events} and {@code POST /v1/prompts?stream=true}: the turn's
 *       events as Server-Sent Events ({@link EventStream});</li>
 *   <li>memories, profiles and documents: {@link UserDataApi};</li>
 *   <li>batch jobs: {@link JobsApi}; deletion: {@link DeletionApi}; usage and cost: {@link UsageApi};</li>
 *   <li>{@code GET /healthz}.</li>
 * </ul>
 * Errors are {@code {"error":{"code","message"}}} with a code from the closed list.
 */
final class HttpApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final Duration MAX_WAIT = Duration.ofMinutes(2);

    /** A handler of one family of paths; {@code false} when the path is not its own. */
    interface Routes {
        boolean handle(HttpCall call) throws Exception;
    }

    /**
     * A family of paths that authenticates its callers and words its errors itself (the
     * OpenAI-compatible API answers in OpenAI's error shape, the console needs no key to load).
     */
    interface Door extends Routes {
        boolean owns(String path);

        /** Answers the call, errors included; the exchange is closed afterwards. */
        void serve(HttpExchange exchange) throws Exception;

        @Override
        default boolean handle(HttpCall call) {
            return false;
        }
    }

    private final HttpServer server;
    private final Authenticator authenticator;
    private final Admission admission;
    private final AnswerBook answers;
    private final Submissions submissions;
    private final Publishing publishing;
    private final int maxRequestBytes;
    private final List<Routes> more;
    private final Tracing tracing;
    /** Null where no turn events are read (a test's bare API): streams are then refused. */
    private final EventStream events;

    HttpApi(int port, Authenticator authenticator, Admission admission, AnswerBook answers, Submissions submissions,
            Publishing publishing, int maxRequestBytes, List<Routes> more, EventStream events) throws IOException {
        this(port, authenticator, admission, answers, submissions, publishing, maxRequestBytes, more, events, Tracing.disabled());
    }

    /** Every request is a SERVER span, a child of the caller's {@code traceparent} when it sends one. */
    HttpApi(int port, Authenticator authenticator, Admission admission, AnswerBook answers, Submissions submissions,
            Publishing publishing, int maxRequestBytes, List<Routes> more, EventStream events,
            Tracing tracing) throws IOException {
        this.tracing = tracing;
        this.events = events;
        this.authenticator = authenticator;
        this.admission = admission;
        this.answers = answers;
        this.submissions = submissions;
        this.publishing = publishing;
        this.maxRequestBytes = maxRequestBytes;
        this.more = List.copyOf(more);
        this.server = HttpServers.create(new InetSocketAddress(port), 128);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        // One context for every path, so unknown paths also get a coded JSON error, not the JDK's HTML 404.
        server.createContext("/", this::traced);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(1);
    }

    private void traced(HttpExchange ex) throws IOException {
        String route = route(ex.getRequestURI().getPath());
        Span span = tracing.tracer().spanBuilder(ex.getRequestMethod() + (route == null ? "" : " " + route))
                .setParent(tracing.extract(ex.getRequestHeaders(), RequestHeaders.INSTANCE))
                .setSpanKind(SpanKind.SERVER)
                .setAttribute(SemConv.HTTP_REQUEST_METHOD, ex.getRequestMethod())
                .setAttribute(SemConv.URL_PATH, ex.getRequestURI().getPath())
                .setAttribute(SemConv.URL_SCHEME, "http")
                .startSpan();
        if (route != null) {
            span.setAttribute(SemConv.HTTP_ROUTE, route);
        }
        try (Scope scope = span.makeCurrent(); Tracing.LogIds ids = Tracing.logIds(span)) {
            guarded(ex);
        } finally {
            int status = ex.getResponseCode();
            span.setAttribute(SemConv.HTTP_RESPONSE_STATUS_CODE, (long) status);
            if (status >= 500) {
                Tracing.failed(span, Integer.toString(status));
            }
            span.end();
        }
    }

    /** The route template of the gateway's own paths, for span names that do not grow with ids. */
    private static String route(String path) {
        if (path.equals("/v1/prompts") || path.equals("/healthz")) {
            return path;
        }
        return path.startsWith("/v1/answers/") ? "/v1/answers/{requestId}" : null;
    }

    /** Trace context in the request's headers (W3C {@code traceparent}). */
    private enum RequestHeaders implements TextMapGetter<Headers> {
        INSTANCE;

        @Override
        public Iterable<String> keys(Headers headers) {
            return headers.keySet();
        }

        @Override
        public String get(Headers headers, String key) {
            return headers == null ? null : headers.getFirst(key);
        }
    }

    /** No request, however malformed, escapes as an unhandled exception or a connection reset. */
    private void guarded(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        HttpCall anonymous = new HttpCall(ex, null, List.of());
        try {
            if (path.equals("/healthz")) {
                anonymous.respond(200, Map.of("status", "ok"));
                return;
            }
            for (Routes r : more) {
                if (r instanceof Door door && door.owns(path)) {
                    door.serve(ex);
                    return;
                }
            }
            Tenant tenant = authenticator.authenticate(ex.getRequestHeaders());
            List<String> segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
            HttpCall call = new HttpCall(ex, tenant.id(), segments);
            if (!route(call)) {
                call.error(404, ErrorCode.INVALID_REQUEST, "No such endpoint: " + ex.getRequestMethod() + " " + path);
            }
        } catch (HttpCall.Failure f) {
            anonymous.error(f.status, f.code, f.getMessage());
        } catch (IllegalArgumentException e) {
            anonymous.error(400, ErrorCode.INVALID_REQUEST, e.getMessage());
        } catch (Exception e) {
            LOG.error("HTTP {} {} failed", ex.getRequestMethod(), path, e);
            anonymous.error(500, ErrorCode.INTERNAL, "The gateway failed to handle the request; it has been logged");
        } finally {
            ex.close();
        }
    }

    private boolean route(HttpCall call) throws Exception {
        if (call.segments().equals(List.of("v1", "prompts")) && call.method().equals("POST")) {
            submit(call);
            return true;
        }
        if (call.segments().size() == 3 && call.segment(1).equals("answers") && call.segment(0).equals("v1")
                && call.method().equals("GET")) {
            lookUp(call, call.segment(2));
            return true;
        }
        if (call.segments().size() == 4 && call.segment(0).equals("v1") && call.segment(1).equals("answers")
                && call.segment(3).equals("events") && call.method().equals("GET") && events != null) {
            long after = EventStream.lastEventId(call);
            if (!submissions.accepted(call.tenantId(), call.segment(2))) {
                call.error(404, ErrorCode.INVALID_REQUEST, "No request with id " + call.segment(2) + " was accepted");
            } else {
                events.stream(call, call.segment(2), after);
            }
            return true;
        }
        for (Routes r : more) {
            if (r.handle(call)) {
                return true;
            }
        }
        return false;
    }

    private void submit(HttpCall call) throws Exception {
        Duration wait = waitParameter(call);
        boolean stream = events != null && call.query("stream").map(v -> v.isEmpty() || v.equals("true")).orElse(false);
        byte[] body = readBounded(call.exchange().getRequestBody());
        Admission.Result result = new HttpSubmitter(admission, publishing).submit(call, body, UUID.randomUUID().toString());
        switch (result.verdict()) {
            case Verdict.Rejected r -> call.error(status(r.code()), r.code(), r.message());
            case Verdict.Accepted a -> {
                String requestId = a.turn().requestId();
                String conversationId = result.conversationId();
                if (stream) {
                    events.stream(call, requestId, 0);
                    return;
                }
                // The answer of this accepted request, not an earlier rejection of a request with its id.
                Optional<Answer> answer = wait.isZero() ? Optional.empty()
                        : answers.await(call.tenantId(), requestId, wait, stored -> !AnswerBook.isRejection(stored));
                if (answer.isPresent()) {
                    call.respond(200, answer.get());
                } else {
                    Map<String, Object> accepted = new LinkedHashMap<>();
                    accepted.put("requestId", requestId);
                    accepted.put("conversationId", conversationId);
                    accepted.put("status", result.duplicate() ? "duplicate" : "accepted");
                    accepted.put("answerUrl", "/v1/answers/" + requestId);
                    call.respond(202, accepted);
                }
            }
        }
    }

    private static int status(ErrorCode code) {
        return switch (code) {
            case TOO_LARGE -> 413;
            case UNAUTHORIZED -> 403;
            case DUPLICATE_REQUEST -> 409;
            default -> 400;
        };
    }

    private void lookUp(HttpCall call, String requestId) throws Exception {
        Duration wait = waitParameter(call);
        // Only the caller's tenant's ids exist for it. For an accepted request only its own answer
        // counts, never a refusal of a later submission that reused its id; a request that was never
        // accepted shows its refusal.
        boolean accepted = submissions.accepted(call.tenantId(), requestId);
        Optional<Answer> answer = accepted
                ? answers.await(call.tenantId(), requestId, wait, stored -> !AnswerBook.isRejection(stored))
                : answers.find(call.tenantId(), requestId);
        if (answer.isPresent()) {
            call.respond(200, answer.get());
        } else if (accepted) {
            call.respond(202, Map.of("requestId", requestId, "status", "pending"));
        } else {
            call.error(404, ErrorCode.INVALID_REQUEST, "No request with id " + requestId + " was accepted");
        }
    }

    private byte[] readBounded(InputStream in) throws IOException {
        // Read one byte past the limit so that an oversized body is reported as too_large, not truncated.
        byte[] body = in.readNBytes(maxRequestBytes + 1);
        in.close();
        return body;
    }

    private static Duration waitParameter(HttpCall call) {
        Optional<String> v = call.query("wait");
        if (v.isEmpty()) {
            return Duration.ZERO;
        }
        try {
            Duration d = Duration.ofMillis((long) (Double.parseDouble(v.get()) * 1000));
            if (d.isNegative()) {
                throw new IllegalArgumentException("wait must not be negative");
            }
            return d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("wait must be a number of seconds, was '" + v.get() + "'");
        }
    }
}
