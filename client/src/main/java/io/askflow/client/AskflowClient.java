package io.askflow.client;

import io.askflow.config.Config;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.TopicSpec;
import io.askflow.kafka.Topics;
import io.askflow.message.Answer;
import io.askflow.message.Json;
import io.askflow.message.MessageFormatException;
import io.askflow.message.PromptRequest;
import io.askflow.message.TurnEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JVM backend's connection to askflow: submits {@link PromptRequest}s to {@code askflow.requests}
 * (keyed by conversation id) and receives their {@link Answer}s from {@code askflow.answers}.
 *
 * <p>One reader thread reads every partition of {@code askflow.answers} with
 * {@code isolation.level=read_committed}, from its end as of {@link #create}, so an answer to any
 * request submitted afterwards (by this client or anyone) cannot be missed and no aborted
 * duplicate is ever seen. It completes the futures and calls the listeners waiting for each
 * request id, on the callback executor, never on the reader thread. The client joins no consumer
 * group: every client instance sees every answer.
 *
 * <p>A second reader thread reads every partition of {@code askflow.answer-deltas} with
 * {@code isolation.level=read_uncommitted} (turn events are written without transactions) for
 * {@link #follow}. It keeps the events of the requests submitted through this client from the
 * moment they are submitted (the last {@value #BUFFERED_TURNS} turns), so following one late loses
 * nothing, and a followed turn's answer is delivered only once this reader has read the events
 * topic up to where it ended when the answer was read: every event of the turn was written before
 * its answer was committed, so they all come first.
 *
 * <p>Thread-safe: one client per process is enough, shared by all threads. Close it to stop its
 * threads; waiting futures and listeners then fail with {@link ClientClosedException}.
 */
public final class AskflowClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AskflowClient.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration EVENT_POLL = Duration.ofMillis(100);
    private static final Duration END_OFFSETS_TIMEOUT = Duration.ofSeconds(1);
    private static final int BUFFERED_TURNS = 256;
    private static final int MAX_EVENTS_PER_TURN = 10_000;

    private final ClientOptions options;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaConsumer<String, byte[]> eventConsumer;
    private final Thread reader;
    private final Thread eventReader;
    private final ExecutorService ownCallbacks;
    private final Executor callbacks;
    private final ScheduledThreadPoolExecutor timer;

    private final Object lock = new Object();
    private final Map<String, List<Waiter>> waiting = new HashMap<>();
    private final Map<String, Answer> recent;
    private final List<Waiter> everyAnswer = new ArrayList<>();
    private final Map<String, TurnLog> turns = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TurnLog> eldest) {
            return size() > BUFFERED_TURNS && eldest.getValue().followers.isEmpty();
        }
    };
    /** Turns whose answer was read, until the event reader has read up to their events' end. */
    private final List<TurnLog> answered = new ArrayList<>();
    private boolean eventsStopped;
    private boolean closed;
    private Throwable readerFailure;

    private AskflowClient(ClientOptions options) {
        this.options = options;
        // The client reads by assignment, not in a group: every client sees every answer.
        Config kafka = options.kafka();
        consumer = KafkaClients.reader(kafka, options.clientId() + "-answers");
        eventConsumer = KafkaClients.uncommittedReader(kafka, options.clientId() + "-events");
        try {
            startAtEnd(consumer, Topics.ANSWERS.name());
            startAtEnd(eventConsumer, Topics.ANSWER_DELTAS.name());
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            consumer.close(Duration.ZERO);
            eventConsumer.close(Duration.ZERO);
            throw new AskflowClientException("Kafka at " + options.bootstrapServers() + " did not answer within "
                    + options.startTimeout() + ": is it running, and does ASKFLOW_KAFKA_BOOTSTRAP_SERVERS name it?", e);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            eventConsumer.close(Duration.ZERO);
            throw e;
        }
        producer = KafkaClients.producer(kafka, options.clientId());
        recent = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Answer> eldest) {
                return size() > options.recentAnswers();
            }
        };
        timer = new ScheduledThreadPoolExecutor(1, daemon(options.clientId() + "-timeouts"));
        timer.setRemoveOnCancelPolicy(true);
        ownCallbacks = options.callbackExecutor().isPresent() ? null
                : Executors.newSingleThreadExecutor(daemon(options.clientId() + "-callbacks"));
        callbacks = options.callbackExecutor().orElse(ownCallbacks);
        reader = daemon(options.clientId() + "-answers").newThread(this::read);
        reader.start();
        eventReader = daemon(options.clientId() + "-events").newThread(this::readEvents);
        eventReader.start();
    }

    /** A client for {@code options}; returns once it reads {@code askflow.answers}. */
    public static AskflowClient create(ClientOptions options) {
        return new AskflowClient(Objects.requireNonNull(options, "options"));
    }

    /** A client configured from the environment ({@code ASKFLOW_KAFKA_BOOTSTRAP_SERVERS}, ...). */
    public static AskflowClient fromEnv() {
        return create(ClientOptions.fromEnv());
    }

    public ClientOptions options() {
        return options;
    }

    /**
     * Writes the request to {@code askflow.requests}, keyed by its conversation id, and returns once
     * the broker acknowledged it. A request without {@code requestId} gets a random one, and one
     * without {@code conversationId} starts a new conversation with a random id; the
     * {@link Submission} says which. The request is not checked here: the gateway answers a bad one
     * with an error answer ({@code invalid_request}, {@code too_large}, ...), delivered like any answer.
     *
     * @throws SubmitException when the broker does not acknowledge within {@link ClientOptions#sendTimeout()}
     * @throws ClientClosedException when the client is closed
     */
    public Submission submit(PromptRequest request) {
        PromptRequest r = withIds(Objects.requireNonNull(request, "request"));
        CompletableFuture<Answer> answer = answer(r.requestId(), options.answerTimeout());
        synchronized (lock) {
            turns.computeIfAbsent(r.requestId(), k -> new TurnLog()); // its events are kept from now on, for follow()
        }
        RecordMetadata written;
        try {
            written = producer.send(new ProducerRecord<>(Topics.REQUESTS.name(), r.conversationId(), Json.write(r)))
                    .get(options.sendTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw notWritten(answer, r, "The broker refused request " + r.requestId() + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw notWritten(answer, r, "The broker did not acknowledge request " + r.requestId() + " within "
                    + options.sendTimeout() + "; it may still be written, and submitting the same requestId again is safe", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw notWritten(answer, r, "Interrupted while submitting request " + r.requestId(), e);
        } catch (KafkaException e) {
            throw notWritten(answer, r, "Could not submit request " + r.requestId() + ": " + e, e);
        }
        return new Submission(r.requestId(), r.conversationId(), written.partition(), written.offset(), answer,
                options.answerTimeout());
    }

    /** Submits a prompt in a conversation and waits for its answer (at most {@link ClientOptions#answerTimeout()}). */
    public Answer ask(String conversationId, String prompt) {
        return submit(PromptRequest.builder().conversationId(conversationId).prompt(prompt).build()).await();
    }

    /** {@link #answer(String, Duration)} with {@link ClientOptions#answerTimeout()}. */
    public CompletableFuture<Answer> answer(String requestId) {
        return answer(requestId, options.answerTimeout());
    }

    /**
     * The answer to a request submitted by anyone (this client, another process, the HTTP API):
     * already read and still among the {@link ClientOptions#recentAnswers()} remembered, or still to
     * come. Each call returns its own future: completing or cancelling it affects no other caller.
     * It fails with {@link AnswerTimeoutException} after {@code timeout}.
     */
    public CompletableFuture<Answer> answer(String requestId, Duration timeout) {
        requireId(requestId);
        CompletableFuture<Answer> future = new CompletableFuture<>();
        Waiter w = new Waiter(new TurnListener() {
            @Override
            public void onAnswer(Answer answer) {
                future.complete(answer);
            }

            @Override
            public void onFailure(AskflowClientException failure) {
                future.completeExceptionally(failure);
            }
        }, true);
        Runnable stop = follow(requestId, w, timeout);
        future.whenComplete((a, e) -> stop.run());
        return future;
    }

    /**
     * Calls {@code listener} with the answer to {@code requestId} (see {@link #answer(String, Duration)}
     * for which requests), or with {@link AnswerTimeoutException} after {@link ClientOptions#answerTimeout()}.
     */
    public Subscription subscribe(String requestId, TurnListener listener) {
        requireId(requestId);
        Waiter w = new Waiter(Objects.requireNonNull(listener, "listener"), true);
        Runnable stop = follow(requestId, w, options.answerTimeout());
        return () -> {
            w.end();
            stop.run();
        };
    }

    /**
     * Calls {@code listener} with the turn events of {@code requestId} ({@link TurnListener#onEvent}:
     * {@code delta}, {@code progress}, {@code retry}) in seq order, each seq once, and last, once, with
     * its committed answer from {@code askflow.answers} ({@link TurnListener#onAnswer}), or with
     * {@link AnswerTimeoutException} after {@link ClientOptions#answerTimeout()}. For a request
     * submitted through this client, its events from the start (while it is among the last
     * {@value #BUFFERED_TURNS} submitted or followed); for any other request, those read from now
     * on. The events are a live view (one may be lost, an aborted attempt's text stays, superseded
     * by a {@code retry}: {@link TurnText} accounts for that); the answer is the one that counts.
     */
    public Subscription follow(String requestId, TurnListener listener) {
        requireId(requestId);
        Follower f = new Follower(new Waiter(Objects.requireNonNull(listener, "listener"), true));
        TurnLog log;
        synchronized (lock) {
            ensureOpen();
            log = turns.computeIfAbsent(requestId, k -> new TurnLog());
            log.events.values().forEach(f::offer);
            Answer known = recent.get(requestId);
            if (log.answer == null && known != null) {
                // Read before anyone kept this turn's events: they are gone, the answer is not.
                log.answer = known;
                log.answerReady = true;
            }
            if (log.answerReady) {
                Answer a = log.answer;
                dispatch(() -> f.waiter.answer(a));
                return f.waiter::end;
            }
            log.followers.add(f);
        }
        Duration timeout = options.answerTimeout();
        try {
            f.expiry = timer.schedule(() -> {
                unfollow(log, f);
                dispatch(() -> f.waiter.fail(new AnswerTimeoutException(requestId, timeout)));
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile: close() has failed the follower already
        }
        return () -> {
            f.waiter.end();
            unfollow(log, f);
        };
    }

    private void unfollow(TurnLog log, Follower f) {
        ScheduledFuture<?> expiry = f.expiry;
        if (expiry != null) {
            expiry.cancel(false);
        }
        synchronized (lock) {
            log.followers.remove(f);
        }
    }

    /** Calls {@code listener} with every answer read from now on, whoever submitted its request, until closed. */
    public Subscription subscribe(TurnListener listener) {
        Waiter w = new Waiter(Objects.requireNonNull(listener, "listener"), false);
        synchronized (lock) {
            ensureOpen();
            everyAnswer.add(w);
        }
        return () -> {
            w.end();
            synchronized (lock) {
                everyAnswer.remove(w);
            }
        };
    }

    /** Registers a waiter for one request id with a timeout; returns what unregisters it. */
    private Runnable follow(String requestId, Waiter w, Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be a positive duration, was " + timeout);
        }
        Answer known;
        synchronized (lock) {
            ensureOpen();
            known = recent.get(requestId);
            if (known == null) {
                waiting.computeIfAbsent(requestId, k -> new ArrayList<>(1)).add(w);
            }
        }
        if (known != null) {
            dispatch(() -> w.answer(known));
            return () -> {
            };
        }
        ScheduledFuture<?> expiry;
        try {
            expiry = timer.schedule(() -> {
                unregister(requestId, w);
                dispatch(() -> w.fail(new AnswerTimeoutException(requestId, timeout)));
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return () -> {
                // closed meanwhile: close() has failed the waiter already
            };
        }
        return () -> {
            expiry.cancel(false);
            unregister(requestId, w);
        };
    }

    private void unregister(String requestId, Waiter w) {
        synchronized (lock) {
            List<Waiter> ws = waiting.get(requestId);
            if (ws != null && ws.remove(w) && ws.isEmpty()) {
                waiting.remove(requestId);
            }
        }
    }

    private void read() {
        try {
            while (true) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                    Answer a = decode(r, Topics.ANSWERS);
                    if (a != null) {
                        deliver(a);
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked the reader to stop
        } catch (RuntimeException e) {
            LOG.error("{}: reading {} failed; the client stops", options.clientId(), Topics.ANSWERS.name(), e);
            List<Waiter> failed;
            synchronized (lock) {
                readerFailure = e;
                failed = takeAllWaiters();
            }
            ClientClosedException closedBy = new ClientClosedException("The askflow client " + options.clientId()
                    + " stopped reading " + Topics.ANSWERS.name() + ": " + e, e);
            dispatch(() -> failed.forEach(w -> w.fail(closedBy)));
        } finally {
            consumer.close(KafkaClients.CLOSE_TIMEOUT);
        }
    }

    private void readEvents() {
        try {
            while (true) {
                for (ConsumerRecord<String, byte[]> r : eventConsumer.poll(EVENT_POLL)) {
                    TurnEvent e = decode(r, Topics.ANSWER_DELTAS);
                    if (e != null) {
                        addEvent(e);
                    }
                }
                releaseAnswers();
            }
        } catch (WakeupException e) {
            // close() asked the reader to stop
        } catch (RuntimeException e) {
            LOG.error("{}: reading {} failed; followed turns now get their answers without further events",
                    options.clientId(), Topics.ANSWER_DELTAS.name(), e);
            synchronized (lock) {
                eventsStopped = true;
                answered.forEach(this::answerFollowers);
                answered.clear();
            }
        } finally {
            eventConsumer.close(KafkaClients.CLOSE_TIMEOUT);
        }
    }

    private void addEvent(TurnEvent e) {
        if (e.kind() == TurnEvent.Kind.ANSWER) {
            return; // the committed answer takes its place
        }
        synchronized (lock) {
            TurnLog log = turns.get(e.requestId());
            if (log != null && !log.answerReady && log.add(e)) {
                // Dispatched under the lock, so that follow()'s replay and the live events keep seq order.
                log.followers.forEach(f -> f.offer(e));
            }
        }
    }

    /** Delivers the answers whose turn's events have all been read: those written before the answer was. */
    private void releaseAnswers() {
        boolean unmeasured;
        synchronized (lock) {
            unmeasured = answered.stream().anyMatch(l -> l.eventsEnd == null);
        }
        if (unmeasured) {
            Map<TopicPartition, Long> ends;
            try {
                ends = eventConsumer.endOffsets(eventConsumer.assignment(), END_OFFSETS_TIMEOUT);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                return; // the broker is away for now: asked again after the next poll, the answers wait meanwhile
            }
            synchronized (lock) {
                answered.stream().filter(l -> l.eventsEnd == null).forEach(l -> l.eventsEnd = ends);
            }
        }
        synchronized (lock) {
            for (java.util.Iterator<TurnLog> it = answered.iterator(); it.hasNext(); ) {
                TurnLog log = it.next();
                if (log.eventsEnd != null && log.eventsEnd.entrySet().stream()
                        .allMatch(x -> eventConsumer.position(x.getKey()) >= x.getValue())) {
                    it.remove();
                    answerFollowers(log);
                }
            }
        }
    }

    /** Under the lock: the turn's answer goes to its followers, after the events dispatched before. */
    private void answerFollowers(TurnLog log) {
        log.answerReady = true;
        Answer a = log.answer;
        List<Follower> fs = List.copyOf(log.followers);
        log.followers.clear();
        fs.forEach(f -> {
            ScheduledFuture<?> expiry = f.expiry;
            if (expiry != null) {
                expiry.cancel(false);
            }
            dispatch(() -> f.waiter.answer(a));
        });
    }

    /** The record's value, or null when it is not a {@code T} (a tombstone included). */
    private <T> T decode(ConsumerRecord<String, byte[]> r, TopicSpec<T> topic) {
        try {
            return topic.decode(r.value());
        } catch (MessageFormatException e) {
            // Not ours to fix or dead-letter: the topic is askflow's, the record someone else's.
            LOG.warn("{}: skipped {}-{}@{}, which is not a {}: {}", options.clientId(), r.topic(), r.partition(),
                    r.offset(), topic.valueType().getSimpleName(), e.getMessage());
            return null;
        }
    }

    private void deliver(Answer a) {
        List<Waiter> forRequest = null;
        List<Waiter> forAll;
        synchronized (lock) {
            if (a.requestId() != null) {
                if (options.recentAnswers() > 0) {
                    recent.put(a.requestId(), a);
                }
                forRequest = waiting.remove(a.requestId());
                TurnLog log = turns.get(a.requestId());
                if (log != null && log.answer == null) {
                    log.answer = a;
                    if (eventsStopped) {
                        answerFollowers(log);
                    } else {
                        answered.add(log);
                    }
                }
            }
            forAll = everyAnswer.isEmpty() ? List.of() : List.copyOf(everyAnswer);
        }
        if (forRequest == null && forAll.isEmpty()) {
            return;
        }
        List<Waiter> targets = new ArrayList<>(forAll);
        if (forRequest != null) {
            targets.addAll(forRequest);
        }
        dispatch(() -> targets.forEach(w -> w.answer(a)));
    }

    private void dispatch(Runnable task) {
        try {
            callbacks.execute(task);
        } catch (RejectedExecutionException e) {
            // A caller's executor that refuses work still must not lose an answer or a failure.
            task.run();
        }
    }

    private List<Waiter> takeAllWaiters() {
        List<Waiter> all = new ArrayList<>(everyAnswer);
        waiting.values().forEach(all::addAll);
        waiting.clear();
        everyAnswer.clear();
        turns.values().forEach(t -> {
            t.followers.forEach(f -> all.add(f.waiter));
            t.followers.clear();
        });
        return all;
    }

    private void ensureOpen() {
        if (closed) {
            throw new ClientClosedException("The askflow client " + options.clientId() + " is closed", null);
        }
        if (readerFailure != null) {
            throw new ClientClosedException("The askflow client " + options.clientId() + " stopped reading "
                    + Topics.ANSWERS.name() + ": " + readerFailure, readerFailure);
        }
    }

    /** Assigns every partition of {@code topic} and resolves their ends: what is written after create() is read. */
    private void startAtEnd(KafkaConsumer<String, byte[]> c, String topic) {
        List<PartitionInfo> infos = c.partitionsFor(topic, options.startTimeout());
        if (infos == null || infos.isEmpty()) {
            throw new AskflowClientException("Kafka at " + options.bootstrapServers() + " has no topic "
                    + topic + ": start askflow first (its services create their topics)");
        }
        List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        c.assign(partitions);
        c.seekToEnd(partitions);
        partitions.forEach(p -> c.position(p, options.startTimeout()));
    }

    private static PromptRequest withIds(PromptRequest r) {
        if (r.requestId() != null && !r.requestId().isBlank() && r.conversationId() != null) {
            return r;
        }
        String requestId = r.requestId() != null && !r.requestId().isBlank() ? r.requestId() : UUID.randomUUID().toString();
        String conversationId = r.conversationId() != null ? r.conversationId() : UUID.randomUUID().toString();
        return new PromptRequest(r.schemaVersion(), requestId, r.tenantId(), conversationId, r.userId(), r.prompt(),
                r.model(), r.timeZone(), r.deadline(), r.metadata(), r.history());
    }

    private static SubmitException notWritten(CompletableFuture<Answer> answer, PromptRequest r, String message,
            Throwable cause) {
        SubmitException e = new SubmitException(r.requestId(), message, cause);
        answer.completeExceptionally(e);
        return e;
    }

    private static void requireId(String requestId) {
        if (requestId == null || requestId.isBlank()) {
            throw new IllegalArgumentException("requestId must not be blank");
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Stops the reader, flushes and closes the producer, and fails every waiting future and
     * listener with {@link ClientClosedException}. Idempotent.
     */
    @Override
    public void close() {
        List<Waiter> pending;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            pending = takeAllWaiters();
        }
        consumer.wakeup();
        eventConsumer.wakeup();
        for (Thread t : List.of(reader, eventReader)) {
            if (Thread.currentThread() != t) {
                try {
                    t.join(KafkaClients.CLOSE_TIMEOUT.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        producer.close(KafkaClients.CLOSE_TIMEOUT);
        timer.shutdownNow();
        ClientClosedException closedBy = new ClientClosedException("The askflow client " + options.clientId()
                + " was closed", null);
        dispatch(() -> pending.forEach(w -> w.fail(closedBy)));
        if (ownCallbacks != null) {
            ownCallbacks.shutdown();
        }
    }

    /**
     * One listener's stake in answers. {@code once}: it wants a single answer (or failure) and then
     * nothing more, however many copies arrive (a resubmission answered from {@code recent} and
     * from the topic).
     */
    private static final class Waiter {
        private final TurnListener listener;
        private final boolean once;
        private final AtomicBoolean ended = new AtomicBoolean();

        Waiter(TurnListener listener, boolean once) {
            this.listener = listener;
            this.once = once;
        }

        void answer(Answer a) {
            if (once ? !ended.compareAndSet(false, true) : ended.get()) {
                return;
            }
            try {
                listener.onAnswer(a);
            } catch (RuntimeException e) {
                LOG.warn("A TurnListener threw on the answer to {}; the client goes on", a.requestId(), e);
            }
        }

        void event(TurnEvent e) {
            if (ended.get()) {
                return;
            }
            try {
                listener.onEvent(e);
            } catch (RuntimeException x) {
                LOG.warn("A TurnListener threw on an event of {}; the client goes on", e.requestId(), x);
            }
        }

        void fail(AskflowClientException failure) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            try {
                listener.onFailure(failure);
            } catch (RuntimeException e) {
                LOG.warn("A TurnListener threw on a failure; the client goes on", e);
            }
        }

        void end() {
            ended.set(true);
        }
    }

    /** A turn's events as read, by seq; guarded by the client's lock. */
    private static final class TurnLog {
        final TreeMap<Long, TurnEvent> events = new TreeMap<>();
        final List<Follower> followers = new ArrayList<>(1);
        Answer answer;
        /** The events topic's end offsets when the answer was read: its events are all before them. */
        Map<TopicPartition, Long> eventsEnd;
        boolean answerReady;

        /** @return whether the event is new (a repeated seq is not); past the cap it is passed on, not kept. */
        boolean add(TurnEvent e) {
            if (events.containsKey(e.seq())) {
                return false;
            }
            if (events.size() < MAX_EVENTS_PER_TURN) {
                events.put(e.seq(), e);
            }
            return true;
        }
    }

    /** One follow(): its listener and the last seq it was given (a stream never goes back). */
    private final class Follower {
        final Waiter waiter;
        long lastSeq = Long.MIN_VALUE;
        volatile ScheduledFuture<?> expiry;

        Follower(Waiter waiter) {
            this.waiter = waiter;
        }

        /** Under the lock. */
        void offer(TurnEvent e) {
            if (e.seq() <= lastSeq) {
                return;
            }
            lastSeq = e.seq();
            dispatch(() -> waiter.event(e));
        }
    }
}
