package io.askflow.kafka;

import io.askflow.kafka.internal.DeadLetters;
import io.askflow.kafka.internal.KeyLanes;
import io.askflow.kafka.internal.OffsetMetadata;
import io.askflow.kafka.internal.PartitionProgress;
import io.askflow.kafka.internal.Publisher;
import io.askflow.kafka.internal.Transience;
import io.askflow.message.MessageFormatException;
import io.askflow.telemetry.Tracing;
import io.askflow.time.Backoff;
import io.askflow.time.Sleeper;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one consume-process-produce loop every askflow service runs.
 *
 * <p>A single platform thread owns the consumer: it polls, hands each record to its own virtual
 * thread, pauses the assignment while too much work is in flight, and commits. A record counts as
 * finished only when everything its handler returned is durable: acknowledged by the broker
 * ({@link #atLeastOnce}) or committed in the same Kafka transaction as the input's offset
 * ({@link #exactlyOnce}). The committed offset of a partition is the lowest offset still unfinished
 * there, and the records finished above it travel in the commit's metadata, so a new owner neither
 * skips work nor repeats finished work. Records that cannot be decoded, and failures nobody can
 * answer, go to {@link Topics#DEAD_LETTERS}. Nothing a handler does can stop the loop.
 *
 * <p>A {@link Route#keyOrdered() key-ordered} route's records of one key and partition run one
 * after another in offset order ({@link KeyLanes}); a record holds its key through its transient
 * retries and its publishing, so a later record of the key never overtakes it.
 */
public final class Runner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Runner.class);
    private static final Duration BUSY_POLL = Duration.ofMillis(3);
    /** Under Kafka's default max.request.size and message.max.bytes (1 MiB), leaving room for headers. */
    static final int MAX_RECORD_BYTES = 1_000_000;
    /** For handler failures that will likely pass (the database briefly away). */
    private static final Backoff TRANSIENT_BACKOFF = Backoff.doubling(Duration.ofMillis(200), Duration.ofSeconds(5));
    /** After a failed poll, producer start or rewind, before trying again. */
    private static final Duration LOOP_PAUSE = Duration.ofSeconds(1);

    private final RunnerOptions options;
    private final Map<String, Route<?>> routes;
    private final Consumer<String, byte[]> consumer;
    private final Publisher publisher;
    private final ExecutorService workers;
    private final KeyLanes lanes;
    private final Sleeper sleeper = Sleeper.SYSTEM;
    private final Map<TopicPartition, PartitionProgress> progress = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong inFlightBytes = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread pollThread;
    private volatile BooleanSupplier accepting = () -> true;
    private volatile Tracing tracing = Tracing.disabled();
    private volatile boolean closing;
    private volatile boolean rewindRequested;
    private boolean paused;
    /** When the last commit with work in it began; at the start, an interval ago, so the first work commits at once. */
    private long lastCommitNanos;

    private Runner(RunnerOptions options, List<Route<?>> routes, Consumer<String, byte[]> consumer, Publisher publisher) {
        this.options = options;
        this.lastCommitNanos = System.nanoTime() - options.commitInterval().toNanos();
        this.routes = routes.stream().collect(Collectors.toUnmodifiableMap(r -> r.topic().name(), Function.identity()));
        this.consumer = consumer;
        this.publisher = publisher;
        this.workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(options.groupId() + "-", 0).factory());
        this.lanes = new KeyLanes(workers);
        this.pollThread = Thread.ofPlatform().name("runner-" + options.groupId()).unstarted(this::pollLoop);
    }

    /**
     * Outputs are sent with the shared idempotent producer and acknowledged before their input is
     * finished. A crash can repeat outputs; it never loses them.
     */
    public static Runner atLeastOnce(RunnerOptions options, List<Route<?>> routes, Consumer<String, byte[]> consumer,
            Producer<String, byte[]> producer) {
        return new Runner(options, routes, consumer, Publisher.acking(producer));
    }

    /**
     * Outputs and input offsets are committed together in Kafka transactions, every commit
     * interval: a {@code read_committed} reader sees each record's outputs exactly once, also when
     * the process is killed. The runner owns the producers: it makes one from the supplier (which
     * must return a new transactional producer) and a fresh one when a transaction cannot be
     * aborted.
     */
    public static Runner exactlyOnce(RunnerOptions options, List<Route<?>> routes, Consumer<String, byte[]> consumer,
            Supplier<Producer<String, byte[]>> transactionalProducers) {
        return new Runner(options, routes, consumer, Publisher.transactional(transactionalProducers, options.metrics()));
    }

    public Runner start() {
        pollThread.start();
        return this;
    }

    /**
     * While {@code condition} is false the runner pauses its partitions and starts no new work,
     * e.g. while the model API rate-limits us, so the backlog waits in Kafka.
     */
    public Runner acceptWorkWhile(BooleanSupplier condition) {
        this.accepting = condition;
        return this;
    }

    /**
     * Each record is processed in a CONSUMER span, a child of the trace context in its headers, and
     * every output carries that span's context on. Without this the incoming context is still passed on.
     */
    public Runner tracedBy(Tracing tracing) {
        this.tracing = tracing;
        return this;
    }

    /**
     * Whether the runner retries a handler's failure in place (the database briefly away, a restart
     * ending its connections): a handler that catches failures to answer them rethrows these, so a
     * short outage is not answered as a failed turn.
     */
    public static boolean retriesInPlace(Throwable failure) {
        return Transience.isTransient(failure);
    }

    /** Records handed to workers and not yet finished; exposed for monitoring and tests. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Stops polling, lets records in flight finish (up to the shutdown timeout), commits, and closes the consumer. */
    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
        try {
            // The final drain, the revocation commit and the client closes each have their own bound.
            long bound = options.shutdownTimeout().toMillis() + 4 * KafkaClients.CLOSE_TIMEOUT.toMillis();
            if (!stopped.await(bound, TimeUnit.MILLISECONDS)) {
                LOG.warn("Runner {} did not stop in time", options.groupId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pollLoop() {
        options.metrics().loopStarted(inFlight::get);
        try {
            startPublisher();
            consumer.subscribe(routes.keySet(), new Rebalance());
            while (!closing) {
                try {
                    // Work finishing while the poll thread waits in poll() waits for the next commit to become
                    // visible, so poll briefly while anything is in flight. (consumer.wakeup() would be
                    // sooner, but it can abort the offset look-ups of a rebalance.)
                    Duration wait = inFlight.get() > 0 || publisher.hasPending() ? BUSY_POLL : options.pollTimeout();
                    ConsumerRecords<String, byte[]> records = consumer.poll(wait);
                    if (rewindRequested) {
                        rewindRequested = false;
                        rewind();
                        continue;
                    }
                    for (ConsumerRecord<String, byte[]> rec : records) {
                        dispatch(rec);
                    }
                    applyBackPressure();
                    commitIfDue(false);
                } catch (WakeupException e) {
                    if (!closing) {
                        LOG.warn("Unexpected wakeup of runner {}", options.groupId());
                    }
                } catch (RuntimeException e) {
                    // A broker outage or a failed transaction must not end the service: start over
                    // from the last commit and poll again.
                    LOG.error("Runner {} poll loop error; resuming from the last commit", options.groupId(), e);
                    pause();
                    rewind();
                }
            }
        } finally {
            try {
                drain(progress.values(), options.shutdownTimeout());
                commitIfDue(true);
            } catch (RuntimeException e) {
                LOG.warn("Final commit of runner {} failed; unfinished records will be redelivered", options.groupId(), e);
            } finally {
                consumer.close(KafkaClients.CLOSE_TIMEOUT);
                workers.shutdownNow();
                publisher.close();
                options.metrics().loopStopped();
                stopped.countDown();
            }
        }
    }

    /** A broker that is not ready yet (e.g. initTransactions timing out) must not end the runner. */
    private void startPublisher() {
        while (!closing) {
            try {
                publisher.start();
                return;
            } catch (RuntimeException e) {
                LOG.error("Runner {} could not start its producer; retrying", options.groupId(), e);
                pause();
            }
        }
    }

    private void dispatch(ConsumerRecord<String, byte[]> rec) {
        TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
        PartitionProgress p = progress.computeIfAbsent(tp, k -> new PartitionProgress());
        if (p.alreadyDone(rec.offset())) {
            return; // a previous owner finished it and committed its outputs
        }
        p.started(rec.offset());
        inFlight.incrementAndGet();
        inFlightBytes.addAndGet(bytes(rec));
        long epoch = publisher.epoch();
        if (routes.get(rec.topic()).ordering() == Ordering.KEY) {
            lanes.enter(tp, rec.key(), () -> processUnlessStale(rec, tp, p, epoch));
        } else {
            workers.submit(() -> process(rec, tp, p, epoch));
        }
    }

    /**
     * A record that waited in its key's lane while a rewind or revocation took its partition's
     * progress away is redelivered (or handled by the new owner): running it too would repeat it.
     * Nor does one start once the runner stopped after its final drain.
     */
    private void processUnlessStale(ConsumerRecord<String, byte[]> rec, TopicPartition tp, PartitionProgress p, long epoch) {
        if (progress.get(tp) == p && publisher.epoch() == epoch && !workers.isShutdown()) {
            process(rec, tp, p, epoch);
        } else {
            settled(rec, p);
        }
    }

    private void settled(ConsumerRecord<String, byte[]> rec, PartitionProgress p) {
        p.settled();
        inFlightBytes.addAndGet(-bytes(rec));
        inFlight.decrementAndGet();
    }

    private static long bytes(ConsumerRecord<String, byte[]> rec) {
        return Math.max(0, rec.serializedKeySize()) + Math.max(0, rec.serializedValueSize());
    }

    private void process(ConsumerRecord<String, byte[]> rec, TopicPartition tp, PartitionProgress p, long epoch) {
        Span span = tracing.startProcessing(rec, options.groupId());
        try (Scope scope = span.makeCurrent(); Tracing.LogIds ids = Tracing.logIds(span)) {
            List<ProducerRecord<String, byte[]>> out = outputsFor(rec);
            if (out != null) {
                // The partition may have moved to another owner meanwhile: then its outputs must not be published.
                publisher.publish(out, rec, p, () -> progress.get(tp) == p, () -> closing, epoch);
            }
        } finally {
            span.end();
            settled(rec, p);
        }
    }

    /**
     * What a record turns into: its handler's output, its failure handler's output, or a dead
     * letter; null when shutdown interrupted the work, which leaves the record for redelivery.
     */
    private List<ProducerRecord<String, byte[]>> outputsFor(ConsumerRecord<String, byte[]> rec) {
        Route<?> route = routes.get(rec.topic());
        long started = System.nanoTime();
        try {
            return handle(route, rec);
        } catch (Exception e) {
            if (interruptedByShutdown(e)) {
                return null;
            }
            options.metrics().handled(rec.topic(), "dead_letter", System.nanoTime() - started);
            LOG.warn("Dead-lettering {}-{}@{}: {}", rec.topic(), rec.partition(), rec.offset(), e.toString());
            Tracing.failed(Span.current(), e.getClass().getName());
            return List.of(DeadLetters.of(rec, e));
        }
    }

    private <T> List<ProducerRecord<String, byte[]>> handle(Route<T> route, ConsumerRecord<String, byte[]> rec) throws Exception {
        long started = System.nanoTime();
        String outcome = "ok";
        T value = route.topic().decode(rec.value()); // MessageFormatException: dead letter
        Incoming<T> in = new Incoming<>(rec.topic(), rec.partition(), rec.offset(), rec.key(), value, rec.headers(),
                Instant.ofEpochMilli(rec.timestamp()));
        List<Outgoing> out;
        try {
            out = requireSendable(handleRetryingTransientFailures(route, in));
        } catch (Exception e) {
            if (route.onFailure() == null || e instanceof MessageFormatException || interruptedByShutdown(e)) {
                throw e;
            }
            LOG.warn("Handler for {} failed; answering through its failure handler", in.coordinates(), e);
            Tracing.failed(Span.current(), e.getClass().getName());
            out = route.onFailure().onFailure(in, e);
            outcome = "failed";
        }
        options.metrics().handled(rec.topic(), outcome, System.nanoTime() - started);
        return toProducerRecords(out);
    }

    /**
     * An output the broker would refuse (over Kafka's default 1 MiB record limit) is a handler
     * failure: answered by the failure handler now, instead of failing the whole transaction and
     * being redone forever.
     */
    private static List<Outgoing> requireSendable(List<Outgoing> out) {
        for (Outgoing o : out) {
            int size = (o.value() == null ? 0 : o.value().length) + (o.key() == null ? 0 : o.key().length());
            if (size > MAX_RECORD_BYTES) {
                throw new IllegalStateException("An output for " + o.topic() + " is " + size
                        + " bytes, over the " + MAX_RECORD_BYTES + "-byte record limit");
            }
        }
        return out;
    }

    /**
     * A transient failure (the database briefly away) is retried with backoff while the service runs:
     * answering it as failed, or dead-lettering it, would turn a short outage into lost requests.
     * The record stays in flight meanwhile, so the commit does not pass it.
     */
    private <T> List<Outgoing> handleRetryingTransientFailures(Route<T> route, Incoming<T> in) throws Exception {
        return TRANSIENT_BACKOFF.retry(() -> route.handler().handle(in), (e, attempts, delay) -> {
            if (!Transience.isTransient(e)) {
                throw e;
            }
            if (closing) {
                throw new InterruptedException("Stopping while " + in.coordinates() + " waits for a transient failure to pass");
            }
            LOG.warn("Transient failure handling {}; retrying in {} ms: {}", in.coordinates(), delay.toMillis(), e.toString());
            return delay;
        });
    }

    private List<ProducerRecord<String, byte[]>> toProducerRecords(List<Outgoing> out) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(out.size());
        for (Outgoing o : out) {
            ProducerRecord<String, byte[]> r = o.toRecord();
            // Trace context follows the turn through every hop (the next hop's span is a child of this
            // record's) unless the handler set its own.
            if (!o.headers().containsKey(HeaderKeys.TRACEPARENT)) {
                tracing.inject(r.headers());
            }
            records.add(r);
        }
        return records;
    }

    /** Pauses every assigned partition while too much is in flight or work is refused; resumes at half the limits. */
    private void applyBackPressure() {
        int n = inFlight.get();
        long bytes = inFlightBytes.get();
        boolean accept = accepting.getAsBoolean();
        if (!paused && (options.full(n, bytes) || !accept)) {
            consumer.pause(consumer.assignment());
            paused = true;
            LOG.debug("Runner {} paused with {} records ({} bytes) in flight", options.groupId(), n, bytes);
        } else if (paused && accept && options.roomAgain(n, bytes)) {
            consumer.resume(consumer.paused());
            paused = false;
        }
    }

    /**
     * Commits at most once per commit interval, counted from the last commit that had work in it:
     * work finishing after a quiet spell is committed at once rather than at the next tick of a
     * clock that kept running while nothing was pending (about half an interval per hop, and a turn
     * has three; docs/benchmarks.md, one runner hop). Under load the interval still batches commits.
     */
    private void commitIfDue(boolean now) {
        long t = System.nanoTime();
        if (!now && (!publisher.commitWanted() || t - lastCommitNanos < options.commitInterval().toNanos())) {
            return;
        }
        lastCommitNanos = t;
        publisher.commit(consumer, progress, now);
    }

    /**
     * Forgets all progress and reads again from the last commit: after an aborted transaction the
     * outputs of its records are gone, so those records must be processed again. Work still running
     * belongs to the old epoch and its outputs are dropped.
     */
    private void rewind() {
        try {
            // Everything that can fail comes first: progress is only replaced once the committed
            // offsets are known and the producer is usable again, so a failed rewind changes nothing.
            Set<TopicPartition> assigned = new HashSet<>(consumer.assignment());
            Map<TopicPartition, OffsetAndMetadata> committed = committed(assigned);
            publisher.rewind();
            progress.clear();
            restore(committed, assigned, true);
        } catch (RuntimeException e) {
            LOG.error("Runner {} could not rewind; trying again", options.groupId(), e);
            pause();
            rewindRequested = true;
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
        return partitions.isEmpty() ? Map.of() : consumer.committed(partitions);
    }

    /** Takes up the committed offsets and what finished above them, for the given partitions. */
    private void restore(Map<TopicPartition, OffsetAndMetadata> committed, Collection<TopicPartition> partitions,
            boolean seek) {
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata om = committed.get(tp);
            if (om != null) {
                progress.put(tp, new PartitionProgress(OffsetMetadata.decode(om.offset(), om.metadata())));
                if (seek) {
                    consumer.seek(tp, om.offset());
                }
            } else if (seek) {
                consumer.seekToBeginning(List.of(tp));
            }
        }
    }

    /**
     * Waits up to {@code timeout} (at most {@link RunnerOptions#MAX_DRAIN}) for the records of
     * {@code partitions} to finish. The poll thread keeps committing meanwhile, so the work other
     * partitions finish during a rebalance becomes visible at once, and the open transaction stays
     * short however long the drain.
     */
    private void drain(Collection<PartitionProgress> partitions, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean committing = true;
        try {
            for (PartitionProgress p : partitions) {
                while (!p.awaitDrained(Math.min(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()),
                        Math.max(1, options.commitInterval().toMillis())))) {
                    if (System.nanoTime() >= deadline) {
                        LOG.warn("Runner {}: {} records still in flight after {}; their next owner processes them again",
                                options.groupId(), p.runningCount(), timeout);
                        break;
                    }
                    if (committing) {
                        try {
                            commitIfDue(false);
                        } catch (RuntimeException e) {
                            // The transaction is lost; what follows the drain rewinds.
                            LOG.warn("Commit during the drain of runner {} failed: {}", options.groupId(), e.toString());
                            committing = false;
                            rewindRequested = true;
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean interruptedByShutdown(Exception e) {
        return closing && (e instanceof InterruptedException || Thread.currentThread().isInterrupted());
    }

    private void pause() {
        try {
            sleeper.sleep(LOOP_PAUSE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Finishes and commits the work of partitions moving to another instance before they go. The
     * group protocol is incremental (KIP-848): only the partitions that move are revoked, and the
     * others keep being processed and committed, also during the drain.
     */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            if (!closing) { // on close, the final drain already waited for them
                List<PartitionProgress> leaving = partitions.stream().map(progress::get).filter(p -> p != null).toList();
                drain(leaving, options.shutdownTimeout());
            }
            try {
                // Commit and forget in one step under the publisher's lock: a worker finishing in
                // between would slip its outputs into the next transaction without its input's
                // offset, and the partition's next owner would publish them again.
                publisher.exclusively(() -> {
                    try {
                        publisher.commit(consumer, progress, true);
                    } finally {
                        partitions.forEach(progress::remove);
                    }
                });
            } catch (RuntimeException e) {
                LOG.warn("Commit on revocation failed for runner {}; records will be redelivered", options.groupId(), e);
                rewindRequested = true;
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Another member may already own them: committing now could overwrite its progress,
            // and an open transaction may hold their outputs, so it is aborted.
            partitions.forEach(progress::remove);
            rewindRequested = true;
            options.metrics().lost();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            restore(committed(new HashSet<>(partitions)), partitions, false);
            options.metrics().assigned(partitions.size());
            if (paused) {
                consumer.pause(partitions);
            }
        }
    }
}
