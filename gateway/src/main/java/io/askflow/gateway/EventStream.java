package io.askflow.gateway;

import io.askflow.message.ErrorCode;
import io.askflow.message.Json;
import io.askflow.message.TurnEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A turn's events as Server-Sent Events ({@code GET /v1/answers/{id}/events}, and
 * {@code POST /v1/prompts?stream=true}): {@code id:} is the seq, {@code event:} the kind,
 * {@code data:} the TurnEvent JSON; the stream ends after the {@code answer} event. A client resumes
 * with {@code Last-Event-ID} and gets only the events after it. An idle stream gets a comment line
 * every heartbeat, which keeps proxies from closing it and is how a client that went away is
 * noticed (the write fails, the subscription is closed, the handler's thread returns).
 */
final class EventStream {
    static final String LAST_EVENT_ID = "Last-Event-ID";

    private final TurnEvents events;
    private final Duration heartbeat;

    EventStream(TurnEvents events, Duration heartbeat) {
        this.events = events;
        this.heartbeat = heartbeat;
    }

    /** The seq a client has seen, from Last-Event-ID; 0 when absent. */
    static long lastEventId(HttpCall call) {
        String v = call.header(LAST_EVENT_ID).orElse("").trim();
        if (v.isEmpty()) {
            return 0;
        }
        try {
            long seq = Long.parseLong(v);
            if (seq < 0) {
                throw new NumberFormatException();
            }
            return seq;
        } catch (NumberFormatException e) {
            throw new HttpCall.Failure(400, ErrorCode.INVALID_REQUEST,
                    "Last-Event-ID must be the id (a non-negative integer) of an event of this stream");
        }
    }

    /** Streams the caller's turn; the caller has checked that the request is the tenant's. */
    void stream(HttpCall call, String requestId, long afterSeq) throws IOException, InterruptedException {
        var ex = call.exchange();
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.getResponseHeaders().set("X-Accel-Buffering", "no"); // nginx: do not buffer the stream
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        Object lock = new Object();
        write(out, lock, "retry: 1000\n\n");
        try (TurnEvents.Subscription sub = events.follow(call.tenantId(), requestId, afterSeq,
                (event, answer) -> write(out, lock, frame(event)))) {
            awaitEnd(sub, out, lock, heartbeat);
        } catch (IOException clientGone) {
            // the client closed the connection; the subscription is closed and nothing is left to send
        }
    }

    static String frame(TurnEvent event) {
        return "id: " + event.seq() + "\nevent: " + event.kind().wire() + "\ndata: " + Json.writeString(event) + "\n\n";
    }

    /**
     * Holds the response open until the subscription is done, with a comment line every
     * {@code heartbeat} while idle; returns early when the listener failed (the client went away).
     */
    static void awaitEnd(TurnEvents.Subscription sub, OutputStream out, Object lock, Duration heartbeat)
            throws IOException, InterruptedException {
        while (true) {
            try {
                sub.done().get(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException idle) {
                write(out, lock, ": keep-alive\n\n");
            } catch (ExecutionException clientGone) {
                return;
            }
        }
    }

    /** One frame, written whole and flushed; {@code lock} keeps a heartbeat out of an event's lines. */
    static void write(OutputStream out, Object lock, String text) throws IOException {
        synchronized (lock) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
