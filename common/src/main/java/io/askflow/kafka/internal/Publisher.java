package io.askflow.kafka.internal;

import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.RunnerMetrics;
import io.askflow.time.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the runner makes a record's outputs durable and commits its offset: the two delivery modes.
 * Methods taking the consumer are called from the poll thread only; {@link #publish} from workers.
 */
public abstract sealed class Publisher {
    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);
    /** For outputs the broker did not acknowledge (at least once). */
    private static final Backoff SEND_BACKOFF = Backoff.doubling(Duration.ofMillis(100), Duration.ofSeconds(5));

    public static Publisher acking(Producer<String, byte[]> producer) {
        return new Acking(producer);
    }

    public static Publisher transactional(Supplier<Producer<String, byte[]>> producers) {
        return new Transactional(producers, RunnerMetrics.NONE);
    }

    /** As {@link #transactional(Supplier)}, reporting its commits and aborts to {@code metrics}. */
    public static Publisher transactional(Supplier<Producer<String, byte[]>> producers, RunnerMetrics metrics) {
        return new Transactional(producers, metrics);
    }

    public void start() {
    }

    /** Work dispatched in an older epoch was undone by a rewind: its outputs must not be published. */
    public abstract long epoch();

    /**
     * Makes {@code out} durable for the record at {@code cause}, or leaves the record unfinished
     * (to be redelivered) when its partition is no longer {@code owned} or the runner is closing.
     */
    public abstract void publish(List<ProducerRecord<String, byte[]>> out, ConsumerRecord<String, byte[]> cause,
            PartitionProgress progress, BooleanSupplier owned, BooleanSupplier closing, long epoch);

    /** Commits what is finished; {@code now} forces it (revocation, shutdown). */
    public abstract void commit(Consumer<String, byte[]> consumer, Map<TopicPartition, PartitionProgress> progress,
            boolean now);

    /** Runs {@code action} while no worker is publishing. */
    public void exclusively(Runnable action) {
        action.run();
    }

    /** True while finished work waits for a commit to become durable or visible. */
    public boolean hasPending() {
        return false;
    }

    /**
     * False when a commit now would do nothing, so the runner need not spend its commit interval on
     * it; true otherwise, and always when unsure.
     */
    public boolean commitWanted() {
        return true;
    }

    /** Undoes what is not committed, before the runner reads again from the last commit. */
    public abstract void rewind();

    public void close() {
    }

    static Map<TopicPartition, OffsetAndMetadata> offsets(Map<TopicPartition, PartitionProgress> progress,
            Collection<TopicPartition> partitions, boolean restate) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            PartitionProgress p = progress.get(tp);
            if (p != null) {
                p.commitPoint(restate).ifPresent(point -> offsets.put(tp, point));
            }
        }
        return offsets;
    }

    static void markCommitted(Map<TopicPartition, PartitionProgress> progress, Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, om) -> {
            PartitionProgress p = progress.get(tp);
            if (p != null) {
                p.committed(om.offset());
            }
        });
    }

    /** At least once: outputs acknowledged (acks=all) before the input counts as finished. */
    private static final class Acking extends Publisher {
        private final Producer<String, byte[]> producer;
        private volatile long epoch;

        Acking(Producer<String, byte[]> producer) {
            this.producer = producer;
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public void publish(List<ProducerRecord<String, byte[]>> out, ConsumerRecord<String, byte[]> cause,
                PartitionProgress progress, BooleanSupplier owned, BooleanSupplier closing, long epoch) {
            try {
                SEND_BACKOFF.retry(() -> {
                    List<Future<RecordMetadata>> acks = new ArrayList<>(out.size());
                    for (ProducerRecord<String, byte[]> r : out) {
                        acks.add(producer.send(r));
                    }
                    for (Future<RecordMetadata> ack : acks) {
                        ack.get();
                    }
                    return null;
                }, (e, attempts, delay) -> {
                    if (e instanceof InterruptedException || closing.getAsBoolean() || !owned.getAsBoolean()) {
                        throw e;
                    }
                    LOG.warn("Publishing the output of {}-{}@{} failed; retrying in {} ms", cause.topic(),
                            cause.partition(), cause.offset(), delay.toMillis(), e);
                    return delay;
                });
                progress.finished(cause.offset());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // Closing, or the partition moved: the record stays unfinished and is redelivered.
            }
        }

        @Override
        public void commit(Consumer<String, byte[]> consumer, Map<TopicPartition, PartitionProgress> progress, boolean now) {
            Map<TopicPartition, OffsetAndMetadata> offsets = offsets(progress, progress.keySet(), false);
            if (offsets.isEmpty()) {
                return;
            }
            if (now) {
                consumer.commitSync(offsets, KafkaClients.CLOSE_TIMEOUT);
                markCommitted(progress, offsets);
            } else {
                consumer.commitAsync(offsets, (committed, error) -> {
                    if (error == null) {
                        markCommitted(progress, committed);
                    } else {
                        LOG.warn("Offset commit failed; will retry: {}", error.toString());
                    }
                });
            }
        }

        @Override
        public void rewind() {
            epoch++;
        }
    }

    /**
     * Exactly once: workers send their outputs into the open transaction (many at once, under the
     * read lock); the poll thread, under the write lock, adds the input offsets and commits, then
     * opens the next transaction. If a transaction fails it is aborted and the runner rewinds.
     */
    private static final class Transactional extends Publisher {
        private record Sent(PartitionProgress progress, long offset) {
        }

        private final Supplier<Producer<String, byte[]>> producers;
        private final RunnerMetrics metrics;
        private final ReadWriteLock lock = new ReentrantReadWriteLock();
        private final List<Sent> pending = new ArrayList<>();
        private Producer<String, byte[]> producer;
        private volatile long epoch;
        /** A send failed or the producer could not be renewed: the next commit must fail so the runner rewinds. */
        private volatile boolean broken;

        Transactional(Supplier<Producer<String, byte[]>> producers, RunnerMetrics metrics) {
            this.producers = producers;
            this.metrics = metrics;
        }

        @Override
        public void start() {
            producer = newProducer();
        }

        private Producer<String, byte[]> newProducer() {
            Producer<String, byte[]> p = producers.get();
            try {
                p.initTransactions();
                p.beginTransaction();
                return p;
            } catch (RuntimeException e) {
                p.close(Duration.ZERO);
                throw e;
            }
        }

        @Override
        public void exclusively(Runnable action) {
            lock.writeLock().lock();
            try {
                action.run();
            } finally {
                lock.writeLock().unlock();
            }
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public void publish(List<ProducerRecord<String, byte[]>> out, ConsumerRecord<String, byte[]> cause,
                PartitionProgress progress, BooleanSupplier owned, BooleanSupplier closing, long workEpoch) {
            lock.readLock().lock();
            try {
                if (workEpoch != epoch || !owned.getAsBoolean()) {
                    return; // rewound or revoked: the record will be processed again
                }
                if (broken || producer == null) {
                    return; // the runner is about to rewind; the record will be processed again
                }
                for (ProducerRecord<String, byte[]> r : out) {
                    producer.send(r);
                }
                synchronized (pending) {
                    pending.add(new Sent(progress, cause.offset()));
                }
            } catch (KafkaException | IllegalStateException e) {
                // The transaction is broken; its commit will fail and the runner will rewind.
                broken = true;
                LOG.warn("Sending the output of {}-{}@{} failed: {}", cause.topic(), cause.partition(), cause.offset(),
                        e.toString());
            } finally {
                lock.readLock().unlock();
            }
        }

        @Override
        public boolean hasPending() {
            synchronized (pending) {
                return !pending.isEmpty();
            }
        }

        /** Finished work to commit, or a broken transaction whose commit must fail so the runner rewinds. */
        @Override
        public boolean commitWanted() {
            return broken || hasPending();
        }

        @Override
        public void commit(Consumer<String, byte[]> consumer, Map<TopicPartition, PartitionProgress> progress, boolean now) {
            lock.writeLock().lock();
            try {
                if (broken) {
                    throw new KafkaException("The open transaction is broken; rewinding");
                }
                if (pending.isEmpty()) {
                    return;
                }
                long started = System.nanoTime();
                for (Sent s : pending) {
                    s.progress().finished(s.offset());
                }
                Map<TopicPartition, OffsetAndMetadata> offsets = offsets(progress, progress.keySet(), true);
                if (!offsets.isEmpty()) {
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                }
                producer.commitTransaction();
                metrics.committed(pending.size(), System.nanoTime() - started);
                pending.clear();
                markCommitted(progress, offsets);
                producer.beginTransaction();
            } finally {
                lock.writeLock().unlock();
            }
        }

        @Override
        public void rewind() {
            lock.writeLock().lock();
            try {
                epoch++;
                pending.clear();
                broken = true;
                try {
                    if (producer == null) {
                        throw new IllegalStateException("the previous replacement failed");
                    }
                    producer.abortTransaction();
                    metrics.aborted();
                    producer.beginTransaction();
                } catch (KafkaException | IllegalStateException e) {
                    // Fenced or fatally broken: only a new producer can go on (initTransactions fences the old one).
                    LOG.warn("Replacing the transactional producer: {}", e.toString());
                    if (producer != null) {
                        producer.close(Duration.ZERO);
                        producer = null;
                    }
                    producer = newProducer(); // if this fails too, the runner rewinds again later
                }
                broken = false;
            } finally {
                lock.writeLock().unlock();
            }
        }

        /** Aborts what the final commit did not cover, so readers are not held back until the transaction times out. */
        @Override
        public void close() {
            lock.writeLock().lock();
            try {
                epoch++;
                if (producer != null) {
                    try {
                        producer.abortTransaction();
                    } catch (KafkaException | IllegalStateException e) {
                        LOG.debug("Abort on close failed: {}", e.toString());
                    }
                    producer.close(KafkaClients.CLOSE_TIMEOUT);
                }
            } finally {
                lock.writeLock().unlock();
            }
        }
    }
}
