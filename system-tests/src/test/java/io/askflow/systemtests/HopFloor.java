package io.askflow.systemtests;

import io.askflow.config.Config;
import io.askflow.kafka.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The floor of one hop on this broker with askflow's client settings: a record produced to a topic,
 * consumed, produced to a second topic, and read there, one record at a time. Plain: the hop
 * produces without a transaction. Exactly-once: the hop consumes read_committed and produces the
 * record and commits the input offset in one transaction per record, and the reader reads
 * read_committed.
 */
final class HopFloor {
    private HopFloor() {
    }

    /**
     * {@code micros}: produce to visible at the reader, sorted. {@code phases}: per record, in order,
     * the microseconds from produce to the hop's poll returning it, from there to its send and commit
     * returning, and from there to the reader seeing it (empty for results made elsewhere).
     */
    record Result(List<Long> micros, List<long[]> phases) {
        Result(List<Long> micros) {
            this(micros, List.of());
        }

        double p50() {
            return Burst.pct(micros, 50) / 1000.0;
        }

        double p99() {
            return Burst.pct(micros, 99) / 1000.0;
        }

        void print(String label) {
            System.out.printf("  %s: %d records, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", label, micros.size(), p50(), p99(),
                    micros.get(micros.size() - 1) / 1000.0);
            if (!phases.isEmpty()) {
                String[] names = {"produce -> hop's poll returns it", "hop's send (+ commit)", "-> visible at the reader"};
                for (int k = 0; k < names.length; k++) {
                    final int phase = k;
                    List<Long> one = new ArrayList<>(phases.stream().map(a -> a[phase]).toList());
                    one.sort(null);
                    System.out.printf("    %s: p50 %.1f ms, p99 %.1f ms%n", names[k], Burst.pct(one, 50) / 1000.0,
                            Burst.pct(one, 99) / 1000.0);
                }
            }
        }
    }

    static Result measure(Config config, boolean transactional, int n) throws Exception {
        String tag = (transactional ? "eos-" : "plain-") + UUID.randomUUID().toString().substring(0, 8);
        String in = "bench.hop-in-" + tag;
        String out = "bench.hop-out-" + tag;
        try (Admin admin = KafkaClients.admin(config, "hop-admin-" + tag)) {
            admin.createTopics(List.of(new NewTopic(in, 1, (short) 1), new NewTopic(out, 1, (short) 1))).all().get();
        }
        TopicPartition inTp = new TopicPartition(in, 0);
        TopicPartition outTp = new TopicPartition(out, 0);
        try (KafkaProducer<String, byte[]> source = KafkaClients.producer(config, "hop-source-" + tag);
                KafkaConsumer<String, byte[]> sink = KafkaClients.reader(config, "hop-sink-" + tag)) {
            sink.assign(List.of(outTp));
            sink.seekToBeginning(List.of(outTp));
            Hop hop = new Hop(config, transactional, tag, inTp, out);
            Thread t = Thread.ofPlatform().name("hop-" + tag).start(hop);
            try {
                int warmup = 20;
                List<Long> micros = new ArrayList<>();
                List<long[]> phases = new ArrayList<>();
                for (int i = 0; i < warmup + n; i++) {
                    long t0 = System.nanoTime();
                    source.send(new ProducerRecord<>(in, "k", new byte[100]));
                    while (sink.poll(Duration.ofMillis(1)).isEmpty()) {
                        // one record in, one out
                    }
                    long t3 = System.nanoTime();
                    while (hop.done.size() <= i) {
                        Thread.onSpinWait(); // a plain send can be visible before the hop's send() returns
                    }
                    if (i >= warmup) {
                        micros.add((t3 - t0) / 1_000);
                        long t1 = hop.received.get(i);
                        long t2 = hop.done.get(i);
                        phases.add(new long[] {(t1 - t0) / 1_000, (t2 - t1) / 1_000, Math.max(0, t3 - t2) / 1_000});
                    }
                }
                micros.sort(null);
                return new Result(micros, phases);
            } finally {
                hop.stop = true;
                t.join();
            }
        }
    }

    private static final class Hop implements Runnable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Producer<String, byte[]> producer;
        private final boolean transactional;
        private final TopicPartition inTp;
        private final String out;
        /** nanoTime when each record came out of poll, and when its send (and commit) returned. */
        final List<Long> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<Long> done = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean stop;

        Hop(Config config, boolean transactional, String tag, TopicPartition inTp, String out) {
            this.transactional = transactional;
            this.inTp = inTp;
            this.out = out;
            consumer = KafkaClients.consumer(config, "hop-group-" + tag, "hop-" + tag);
            consumer.assign(List.of(inTp));
            consumer.seekToBeginning(List.of(inTp));
            producer = transactional ? KafkaClients.transactionalProducer(config, "hop-" + tag, "hop-" + tag)
                    : KafkaClients.producer(config, "hop-" + tag);
            if (transactional) {
                producer.initTransactions();
            }
        }

        @Override
        public void run() {
            try {
                while (!stop) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(1))) {
                        received.add(System.nanoTime());
                        if (transactional) {
                            producer.beginTransaction();
                            producer.send(new ProducerRecord<>(out, r.key(), r.value()));
                            producer.sendOffsetsToTransaction(Map.of(inTp, new OffsetAndMetadata(r.offset() + 1)),
                                    consumer.groupMetadata());
                            producer.commitTransaction();
                        } else {
                            producer.send(new ProducerRecord<>(out, r.key(), r.value()));
                        }
                        done.add(System.nanoTime());
                    }
                }
            } finally {
                producer.close(KafkaClients.CLOSE_TIMEOUT);
                consumer.close(KafkaClients.CLOSE_TIMEOUT);
            }
        }
    }
}
