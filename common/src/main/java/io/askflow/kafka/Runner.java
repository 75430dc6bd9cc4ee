package io.askflow.kafka;

import io.askflow.kafka.internal.DeadLetters;
import io.askflow.kafka.internal.PartitionProgress;
import io.askflow.message.MessageFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one consume-process-produce loop every askflow service runs.
 *
 * <p>A single platform thread owns the consumer: it polls, hands each record to its own virtual
 * thread, pauses the assignment while too much work is in flight, and commits. A record counts as
 * finished only after everything its handler returned has been acknowledged by the broker; the
 * committed offset of a partition is the lowest offset still unfinished there, so a crash can
 * repeat work but never skip it. Records that cannot be decoded, and failures nobody can answer,
 * go to {@link Topics#DEAD_LETTERS}. Nothing a handler does can stop the loop.
 */
public final class Runner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Runner.class);
    private static final String TRACEPARENT = "traceparent";

    private final RunnerOptions options;
    private final Map<String, Route<?>> routes;
    private final Consumer<String, byte[]> consumer;
    private final Producer<String, byte[]> producer;
    private final ExecutorService workers;
    private final Map<TopicPartition, PartitionProgress> progress = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread pollThread;
    private volatile boolean closing;
    private boolean paused;
    private long lastCommitNanos = System.nanoTime();

    public Runner(RunnerOptions options, List<Route<?>> routes, Consumer<String, byte[]> consumer,
            Producer<String, byte[]> producer) {
        this.options = options;
        this.routes = routes.stream().collect(Collectors.toUnmodifiableMap(r -> r.topic().name(), Function.identity()));
        this.consumer = consumer;
        this.producer = producer;
        this.workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(options.groupId() + "-", 0).factory());
        this.pollThread = Thread.ofPlatform().name("runner-" + options.groupId()).unstarted(this::pollLoop);
    }

    public Runner start() {
        pollThread.start();
        return this;
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
            if (!stopped.await(options.shutdownTimeout().toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
                LOG.warn("Runner {} did not stop in time", options.groupId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pollLoop() {
        try {
            consumer.subscribe(routes.keySet(), new Rebalance());
            while (!closing) {
                try {
                    ConsumerRecords<String, byte[]> records = consumer.poll(options.pollTimeout());
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
                    // A broker outage or a bad commit must not end the service: log, wait, poll again.
                    LOG.error("Runner {} poll loop error; retrying", options.groupId(), e);
                    sleepQuietly(1_000);
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
                stopped.countDown();
            }
        }
    }

    private void dispatch(ConsumerRecord<String, byte[]> rec) {
        TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
        PartitionProgress p = progress.computeIfAbsent(tp, k -> new PartitionProgress());
        p.started(rec.offset());
        inFlight.incrementAndGet();
        workers.submit(() -> process(rec, p));
    }

    private void process(ConsumerRecord<String, byte[]> rec, PartitionProgress p) {
        boolean done = false;
        try {
            List<ProducerRecord<String, byte[]>> out = outputsFor(rec);
            done = out != null && publish(out, rec);
        } finally {
            if (done) {
                p.finished(rec.offset());
            }
            inFlight.decrementAndGet();
        }
    }

    /**
     * What a record turns into: its handler's output, its failure handler's output, or a dead
     * letter; null when shutdown interrupted the work, which leaves the record for redelivery.
     */
    private List<ProducerRecord<String, byte[]>> outputsFor(ConsumerRecord<String, byte[]> rec) {
        Route<?> route = routes.get(rec.topic());
        try {
            return handle(route, rec);
        } catch (Exception e) {
            if (interruptedByShutdown(e)) {
                return null;
            }
            LOG.warn("Dead-lettering {}-{}@{}: {}", rec.topic(), rec.partition(), rec.offset(), e.toString());
            return List.of(DeadLetters.of(rec, e));
        }
    }

    private <T> List<ProducerRecord<String, byte[]>> handle(Route<T> route, ConsumerRecord<String, byte[]> rec) throws Exception {
        T value = route.topic().decode(rec.value()); // MessageFormatException: dead letter
        Incoming<T> in = new Incoming<>(rec.topic(), rec.partition(), rec.offset(), rec.key(), value, rec.headers(),
                Instant.ofEpochMilli(rec.timestamp()));
        List<Outgoing> out;
        try {
            out = route.handler().handle(in);
        } catch (Exception e) {
            if (route.onFailure() == null || e instanceof MessageFormatException || interruptedByShutdown(e)) {
                throw e;
            }
            LOG.warn("Handler for {} failed; answering through its failure handler", in.coordinates(), e);
            out = route.onFailure().onFailure(in, e);
        }
        return toProducerRecords(out, rec);
    }

    private static List<ProducerRecord<String, byte[]>> toProducerRecords(List<Outgoing> out, ConsumerRecord<String, byte[]> cause) {
        Header trace = cause.headers().lastHeader(TRACEPARENT);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(out.size());
        for (Outgoing o : out) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(o.topic(), o.key(), o.value());
            o.headers().forEach((k, v) -> r.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
            // Trace context follows the turn through every hop unless the handler set its own.
            if (trace != null && !o.headers().containsKey(TRACEPARENT)) {
                r.headers().add(trace);
            }
            records.add(r);
        }
        return records;
    }

    /**
     * Sends and waits for every acknowledgement, retrying with backoff while the service runs.
     * Returns false when shutting down before all were acknowledged: the input then stays
     * uncommitted and is processed again after restart.
     */
    private boolean publish(List<ProducerRecord<String, byte[]>> out, ConsumerRecord<String, byte[]> cause) {
        long backoff = 100;
        while (true) {
            try {
                List<Future<RecordMetadata>> acks = new ArrayList<>(out.size());
                for (ProducerRecord<String, byte[]> r : out) {
                    acks.add(producer.send(r));
                }
                for (Future<RecordMetadata> ack : acks) {
                    ack.get();
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                if (closing) {
                    return false;
                }
                LOG.warn("Publishing the output of {}-{}@{} failed; retrying in {} ms", cause.topic(), cause.partition(),
                        cause.offset(), backoff, e);
                sleepQuietly(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    /** Pauses every assigned partition while too much is in flight, resumes at half the limit. */
    private void applyBackPressure() {
        int n = inFlight.get();
        if (!paused && n >= options.maxInFlight()) {
            consumer.pause(consumer.assignment());
            paused = true;
            LOG.debug("Runner {} paused with {} records in flight", options.groupId(), n);
        } else if (paused && n <= options.maxInFlight() / 2) {
            consumer.resume(consumer.paused());
            paused = false;
        }
    }

    private void commitIfDue(boolean sync) {
        long now = System.nanoTime();
        if (!sync && now - lastCommitNanos < options.commitInterval().toNanos()) {
            return;
        }
        lastCommitNanos = now;
        Map<TopicPartition, OffsetAndMetadata> offsets = committableOffsets(progress.keySet());
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(offsets, KafkaClients.CLOSE_TIMEOUT);
            markCommitted(offsets);
        } else {
            consumer.commitAsync(offsets, (committed, error) -> {
                if (error == null) {
                    markCommitted(committed);
                } else {
                    LOG.warn("Commit of runner {} failed; will retry: {}", options.groupId(), error.toString());
                }
            });
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> committableOffsets(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            PartitionProgress p = progress.get(tp);
            if (p != null) {
                OptionalLong next = p.committable();
                if (next.isPresent()) {
                    offsets.put(tp, new OffsetAndMetadata(next.getAsLong()));
                }
            }
        }
        return offsets;
    }

    private void markCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, om) -> {
            PartitionProgress p = progress.get(tp);
            if (p != null) {
                p.committed(om.offset());
            }
        });
    }

    private void drain(Collection<PartitionProgress> partitions, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (PartitionProgress p : partitions) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (!p.awaitDrained(Math.max(left, 0))) {
                    LOG.warn("Runner {}: {} records still in flight after {}; they will be redelivered",
                            options.groupId(), p.unfinishedCount(), timeout);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean interruptedByShutdown(Exception e) {
        return closing && (e instanceof InterruptedException || Thread.currentThread().isInterrupted());
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Finishes and commits the work of partitions moving to another instance before they go. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            List<PartitionProgress> leaving = partitions.stream().map(progress::get).filter(p -> p != null).toList();
            drain(leaving, options.shutdownTimeout());
            Map<TopicPartition, OffsetAndMetadata> offsets = committableOffsets(partitions);
            try {
                if (!offsets.isEmpty()) {
                    consumer.commitSync(offsets, KafkaClients.CLOSE_TIMEOUT);
                }
            } catch (RuntimeException e) {
                LOG.warn("Commit on revocation failed for runner {}; records will be redelivered", options.groupId(), e);
            }
            partitions.forEach(progress::remove);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Another member may already own them: committing now could overwrite its progress.
            partitions.forEach(progress::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (paused) {
                consumer.pause(partitions);
            }
        }
    }
}
