package io.askflow.testkit;

import io.askflow.localmodel.ChatCompletionsServer;
import io.askflow.localmodel.ChatRequest;
import io.askflow.localmodel.IncomingRequest;
import io.askflow.localmodel.Reply;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for OpenAI whose answers the test decides, so askflow's services can be tested
 * through the real SDK and real HTTP, including failures the real service produces only rarely.
 *
 * <p>Each request is answered by, in order of precedence: the next queued reply
 * ({@link #enqueue}), the responder ({@link #respondWith}), or the default reply. The default is
 * a 500 naming the problem, so an unexpected extra model call fails loudly instead of passing by
 * accident. Replies are built with {@link Reply}'s factories ({@code Reply.text}, {@code Reply.toolCall},
 * {@code Reply.rateLimited}, ...).
 */
public final class ScriptedModelServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ScriptedModelServer.class);

    static final Reply EXHAUSTED = Reply.error(500, "ScriptedModelServer: no scripted reply left for this request");

    private final Object lock = new Object();
    private final Deque<Reply> script = new ArrayDeque<>();
    private final List<ReceivedRequest> received = new ArrayList<>();
    private Function<ChatRequest, Reply> responder;
    private Reply defaultReply = EXHAUSTED;
    private final ChatCompletionsServer server;

    private ScriptedModelServer() {
        server = ChatCompletionsServer.builder(this::answer).observer(this::record).start();
    }

    public static ScriptedModelServer start() {
        return new ScriptedModelServer();
    }

    /** Appends replies, each used for exactly one request. */
    public ScriptedModelServer enqueue(Reply... replies) {
        synchronized (lock) {
            script.addAll(Arrays.asList(replies));
        }
        return this;
    }

    /** Answers requests once the queue is empty; replaces any earlier responder. */
    public ScriptedModelServer respondWith(Function<ChatRequest, Reply> responder) {
        synchronized (lock) {
            this.responder = Objects.requireNonNull(responder, "responder");
        }
        return this;
    }

    /** Used when neither queue nor responder has an answer. */
    public ScriptedModelServer defaultReply(Reply reply) {
        synchronized (lock) {
            this.defaultReply = Objects.requireNonNull(reply, "reply");
        }
        return this;
    }

    /** Forgets script, responder, default and recordings, so one server can serve many tests. */
    public void reset() {
        synchronized (lock) {
            script.clear();
            received.clear();
            responder = null;
            defaultReply = EXHAUSTED;
        }
    }

    public int remainingScript() {
        synchronized (lock) {
            return script.size();
        }
    }

    /** A snapshot, in arrival order. */
    public List<ReceivedRequest> requests() {
        synchronized (lock) {
            return List.copyOf(received);
        }
    }

    /**
     * Waits until at least {@code n} requests have arrived and returns a snapshot of all of them.
     *
     * @throws AssertionError when fewer arrived in time, with the count seen, to make failures obvious
     */
    public List<ReceivedRequest> awaitRequests(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (received.size() < n) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new AssertionError("Expected " + n + " model requests within " + timeout
                            + " but received " + received.size() + ": " + received);
                }
                try {
                    lock.wait(Math.max(1, remaining / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("Interrupted while waiting for model requests", e);
                }
            }
            return List.copyOf(received);
        }
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }

    private void record(IncomingRequest incoming) {
        synchronized (lock) {
            received.add(ReceivedRequest.of(received.size() + 1, incoming));
            lock.notifyAll();
        }
    }

    private Reply answer(ChatRequest request) {
        Function<ChatRequest, Reply> fallback;
        Reply fixed;
        synchronized (lock) {
            Reply next = script.poll();
            if (next != null) {
                return next;
            }
            fallback = responder;
            fixed = defaultReply;
        }
        if (fallback != null) {
            // Outside the lock: a responder may be slow or call back into this server.
            return fallback.apply(request);
        }
        if (fixed == EXHAUSTED) {
            log.warn("Model request arrived with an empty script; answering 500");
        }
        return fixed;
    }
}
