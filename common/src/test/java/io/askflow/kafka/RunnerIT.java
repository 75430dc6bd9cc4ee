package io.askflow.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.embedded.Infrastructure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The runner against a real broker: no record lost across restarts, poison to dead letters, bounded work in flight. */
class RunnerIT {
    private static Config config;

    @BeforeAll
    static void broker() {
        config = Config.of(Map.of(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), Infrastructure.shared().kafka().bootstrapServers(),
                Settings.TOPIC_PARTITIONS.name(), "3"));
        TopicInitializer.ensureTopics(config);
    }

    @Test
    void nothingIsLostWhenAConsumerStopsWithRecordsInFlightAndAnotherTakesOver() throws Exception {
        TopicSpec<String> in = topic("runner-in");
        TopicSpec<String> out = topic("runner-out");
        String group = "runner-restart-" + UUID.randomUUID();
        int total = 300;
        produce(in, total);

        AtomicInteger handled = new AtomicInteger();
        Handler<String> slowAndSometimesFailing = rec -> {
            handled.incrementAndGet();
            int n = Integer.parseInt(rec.value());
            Thread.sleep(n % 7 == 0 ? 300 : ThreadLocalRandom.current().nextInt(5));
            if (n % 50 == 0) {
                throw new IllegalStateException("boom " + n);
            }
            return List.of(Outgoing.to(out, rec.key(), rec.value()));
        };
        FailureHandler<String> answerFailure = (rec, e) -> List.of(Outgoing.to(out, rec.key(), "failed-" + rec.value()));
        // A tiny shutdown timeout abandons the slow records in flight: they must not be committed.
        RunnerOptions abrupt = new RunnerOptions(group, 64, Duration.ofMillis(50), Duration.ofMillis(20), Duration.ofMillis(1));

        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config, "runner-it")) {
            Runner first = Runner.atLeastOnce(abrupt, List.of(Route.of(in, slowAndSometimesFailing, answerFailure)),
                    KafkaClients.consumer(config, group, "first"), producer).start();
            waitUntil(() -> handled.get() >= total / 3, Duration.ofSeconds(60));
            first.close();

            Runner second = Runner.atLeastOnce(abrupt.withMaxInFlight(64), List.of(Route.of(in, slowAndSometimesFailing, answerFailure)),
                    KafkaClients.consumer(config, group, "second"), producer).start();
            try {
                Set<String> seen = readValues(out, total, Duration.ofSeconds(90), Duration.ZERO).keySet();
                Set<String> expected = new HashSet<>();
                for (int n = 0; n < total; n++) {
                    expected.add(n % 50 == 0 ? "failed-" + n : Integer.toString(n));
                }
                assertThat(seen).isEqualTo(expected);
            } finally {
                second.close();
            }
        }
    }

    @Test
    void exactlyOnceModePublishesEachOutputOnceAcrossAnAbruptStopAndATakeover() throws Exception {
        TopicSpec<String> in = topic("eos-in");
        TopicSpec<String> out = topic("eos-out");
        String group = "eos-" + UUID.randomUUID();
        int total = 300;
        produce(in, total);
        AtomicInteger handled = new AtomicInteger();
        Handler<String> slow = rec -> {
            handled.incrementAndGet();
            int n = Integer.parseInt(rec.value());
            Thread.sleep(n % 7 == 0 ? 3_000 : ThreadLocalRandom.current().nextInt(5));
            return List.of(Outgoing.to(out, rec.key(), rec.value()), Outgoing.to(out, rec.key(), "copy-" + rec.value()));
        };
        RunnerOptions abrupt = new RunnerOptions(group, 64, Duration.ofMillis(50), Duration.ofMillis(20), Duration.ofMillis(1));
        AtomicInteger producers = new AtomicInteger();
        java.util.function.Supplier<org.apache.kafka.clients.producer.Producer<String, byte[]>> txProducers =
                () -> KafkaClients.transactionalProducer(config, "eos-it", group + "-" + producers.incrementAndGet());

        Runner first = Runner.exactlyOnce(abrupt, List.of(Route.of(in, slow)),
                KafkaClients.consumer(config, group, "first"), txProducers).start();
        waitUntil(() -> handled.get() >= total / 3, Duration.ofSeconds(60));
        first.close();
        int handledByFirst = handled.get();

        Runner second = Runner.exactlyOnce(abrupt, List.of(Route.of(in, slow)),
                KafkaClients.consumer(config, group, "second"), txProducers).start();
        try {
            // A few quiet seconds after the last expected output: any duplicate would show then.
            Map<String, Integer> seen = readValues(out, 2 * total, Duration.ofSeconds(90), Duration.ofSeconds(3));
            assertThat(seen).hasSize(2 * total);
            assertThat(seen.values()).as("each output exactly once").containsOnly(1);
            // The abrupt stop really left work for the second runner (otherwise this proves little).
            assertThat(handled.get()).isGreaterThan(handledByFirst);
        } finally {
            second.close();
        }
    }

    @Test
    void aTransientDatabaseFailureIsRetriedInPlaceNotAnsweredAsFailed() throws Exception {
        TopicSpec<String> in = topic("transient-in");
        TopicSpec<String> out = topic("transient-out");
        produce(in, 5);
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger failuresAnswered = new AtomicInteger();
        String group = "transient-" + UUID.randomUUID();
        Handler<String> flaky = rec -> {
            if (rec.value().equals("3") && attempts.incrementAndGet() <= 2) {
                throw new java.sql.SQLTransientConnectionException("pool exhausted", "08001");
            }
            return List.of(Outgoing.to(out, rec.key(), rec.value()));
        };
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config, "runner-it")) {
            Runner runner = Runner.atLeastOnce(RunnerOptions.from(config, group), List.of(Route.of(in, flaky, (rec, e) -> {
                failuresAnswered.incrementAndGet();
                return List.of();
            })), KafkaClients.consumer(config, group, "transient"), producer).start();
            try {
                Set<String> seen = readValues(out, 5, Duration.ofSeconds(30), Duration.ZERO).keySet();
                assertThat(seen).containsExactlyInAnyOrder("0", "1", "2", "3", "4");
                assertThat(attempts.get()).isEqualTo(3);
                assertThat(failuresAnswered.get()).isZero();
            } finally {
                runner.close();
            }
        }
    }

    @Test
    void anOutputTooLargeForTheBrokerIsAnsweredByTheFailureHandlerAndTheLoopGoesOn() throws Exception {
        TopicSpec<String> in = topic("huge-in");
        TopicSpec<String> out = topic("huge-out");
        produce(in, 3);
        String group = "huge-" + UUID.randomUUID();
        Handler<String> bloated = rec -> List.of(Outgoing.to(out, rec.key(),
                rec.value().equals("1") ? "x".repeat(Runner.MAX_RECORD_BYTES + 1) : rec.value()));
        Runner runner = Runner.exactlyOnce(RunnerOptions.from(config, group), List.of(Route.of(in, bloated,
                (rec, e) -> List.of(Outgoing.to(out, rec.key(), "failed " + rec.value() + ": " + e.getMessage())))),
                KafkaClients.consumer(config, group, "huge"),
                () -> KafkaClients.transactionalProducer(config, "huge", group + "-tx")).start();
        try {
            Set<String> seen = readValues(out, 3, Duration.ofSeconds(30), Duration.ZERO).keySet();
            assertThat(seen).contains("0", "2").anyMatch(v -> v.startsWith("failed 1: An output for") && v.contains("record limit"));
        } finally {
            runner.close();
        }
    }

    @Test
    void undecodableRecordsGoToDeadLettersWithTheirOriginAndTheLoopGoesOn() throws Exception {
        TopicSpec<Integer> in = new TopicSpec<>("runner-poison-" + UUID.randomUUID(), Integer.class, "test", Map.of());
        TopicSpec<String> out = topic("runner-poison-out");
        createTopics(in.name());
        String poisonKey = "poison-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config, "runner-it")) {
            producer.send(new ProducerRecord<>(in.name(), 0, poisonKey, "{not json".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(in.name(), "healthy", "41".getBytes(StandardCharsets.UTF_8))).get();
            Runner runner = Runner.atLeastOnce(RunnerOptions.from(config, "poison-" + UUID.randomUUID()),
                    List.of(Route.of(in, rec -> List.of(Outgoing.to(out, rec.key(), "got " + (rec.value() + 1))))),
                    KafkaClients.consumer(config, "poison-" + UUID.randomUUID(), "poison"), producer).start();
            try {
                ConsumerRecord<String, byte[]> dead = firstMatching(Topics.DEAD_LETTERS.name(), r -> poisonKey.equals(r.key()));
                assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
                assertThat(header(dead, HeaderKeys.DLQ_TOPIC)).isEqualTo(in.name());
                assertThat(header(dead, HeaderKeys.DLQ_PARTITION)).isEqualTo("0");
                assertThat(header(dead, HeaderKeys.DLQ_OFFSET)).isEqualTo("0");
                assertThat(header(dead, HeaderKeys.DLQ_EXCEPTION_CLASS)).isEqualTo("io.askflow.message.MessageFormatException");
                assertThat(header(dead, HeaderKeys.DLQ_EXCEPTION_MESSAGE)).contains("Not a valid Integer");
                assertThat(header(dead, HeaderKeys.DLQ_TIMESTAMP)).isNotBlank();

                ConsumerRecord<String, byte[]> healthy = firstMatching(out.name(), r -> "healthy".equals(r.key()));
                assertThat(new String(healthy.value(), StandardCharsets.UTF_8)).isEqualTo("\"got 42\"");
            } finally {
                runner.close();
            }
        }
    }

    @Test
    void pausesWhenTheInFlightLimitIsReachedAndFinishesEverythingAfterwards() throws Exception {
        TopicSpec<String> in = topic("runner-bp-in");
        TopicSpec<String> out = topic("runner-bp-out");
        int total = 60;
        int limit = 5;
        produce(in, total);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger maxSeen = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        String group = "runner-bp-" + UUID.randomUUID();
        // A tuning value passed through as a deployment would: small polls make the bound below tight.
        Config smallPolls = Config.of(Map.of(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), config.get(Settings.KAFKA_BOOTSTRAP_SERVERS),
                Settings.KAFKA_CLIENT_PROPERTIES.variable(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), "2"));
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config, "runner-it")) {
            Runner runner = Runner.atLeastOnce(RunnerOptions.from(config, group).withMaxInFlight(limit),
                    List.of(Route.of(in, rec -> {
                        maxSeen.accumulateAndGet(running.incrementAndGet(), Math::max);
                        try {
                            release.await();
                        } finally {
                            running.decrementAndGet();
                        }
                        return List.of(Outgoing.to(out, rec.key(), rec.value()));
                    })),
                    KafkaClients.consumer(smallPolls, group, "bp"), producer).start();
            try {
                waitUntil(() -> runner.inFlight() >= limit, Duration.ofSeconds(30));
                Thread.sleep(1_000); // polls keep running while paused; no more records may start
                // One poll may return up to max.poll.records (2) after the limit check.
                assertThat(maxSeen.get()).isBetween(limit, limit + 2);
                release.countDown();
                Set<String> seen = readValues(out, total, Duration.ofSeconds(60), Duration.ZERO).keySet();
                assertThat(seen).hasSize(total);
            } finally {
                runner.close();
            }
        }
    }

    /**
     * Traced, each output continues the input's trace as a child of the record's own span, whose
     * ids are in the MDC while the handler runs; untraced, the incoming traceparent is passed on as it came.
     */
    @Test
    void outputsContinueTheInputsTraceAndTheHandlerLogsItsIds() throws Exception {
        TopicSpec<String> in = topic("trace-in");
        TopicSpec<String> out = topic("trace-out");
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String parent = "00-" + traceId + "-00f067aa0ba902b7-01";
        Map<String, String> logged = new java.util.concurrent.ConcurrentHashMap<>();
        Handler<String> handler = rec -> {
            logged.put(rec.value(), String.valueOf(org.slf4j.MDC.get(io.askflow.telemetry.Tracing.MDC_TRACE_ID)));
            return List.of(Outgoing.to(out, rec.key(), rec.value()));
        };
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config, "trace-it");
                io.askflow.telemetry.Telemetry telemetry = io.askflow.telemetry.Telemetry.create(config)) {
            for (String value : List.of("traced", "untraced")) {
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(in.name(), value, in.encode(value));
                r.headers().add(HeaderKeys.TRACEPARENT, parent.getBytes(StandardCharsets.UTF_8));
                producer.send(r).get();
            }
            RunnerOptions options = new RunnerOptions("trace-" + UUID.randomUUID(), 8, Duration.ofMillis(50),
                    Duration.ofMillis(20), Duration.ofSeconds(1));
            Runner traced = Runner.atLeastOnce(options, List.of(Route.of(in, rec -> rec.value().equals("traced")
                    ? handler.handle(rec) : List.of())), KafkaClients.consumer(config, options.groupId(), "traced"), producer)
                    .tracedBy(telemetry.tracing("askflow-test")).start();
            try {
                String header = header(firstMatching(out.name(), r -> true), HeaderKeys.TRACEPARENT);
                assertThat(header).startsWith("00-" + traceId + "-").isNotEqualTo(parent);
                assertThat(logged).containsEntry("traced", traceId);
            } finally {
                traced.close();
            }
        }
        TopicSpec<String> plain = topic("trace-plain");
        // The same two inputs, read again by a runner that traces nothing.
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config, "trace-it")) {
            String group = "untraced-" + UUID.randomUUID();
            Runner untraced = Runner.atLeastOnce(new RunnerOptions(group, 8, Duration.ofMillis(50), Duration.ofMillis(20),
                    Duration.ofSeconds(1)), List.of(Route.of(in, rec -> List.of(Outgoing.to(plain, rec.key(), rec.value())))),
                    KafkaClients.consumer(config, group, "untraced"), producer).start();
            try {
                assertThat(header(firstMatching(plain.name(), x -> true), HeaderKeys.TRACEPARENT)).isEqualTo(parent);
            } finally {
                untraced.close();
            }
        }
    }

    @Test
    void aKeyOrderedRouteHandlesEachKeysRecordsInOffsetOrderAndDifferentKeysAtOnce() throws Exception {
        TopicSpec<String> in = topic("ordered-in");
        String group = "ordered-" + UUID.randomUUID();
        int total = 300;
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config, "runner-it")) {
            // Two keys on one partition first, each waiting for the other inside its handler: they
            // can only both get there if different keys of a partition run at once.
            producer.send(new ProducerRecord<>(in.name(), 0, "meet-a", in.encode("meet"))).get();
            producer.send(new ProducerRecord<>(in.name(), 0, "meet-b", in.encode("meet"))).get();
            for (int i = 0; i < total; i++) {
                producer.send(new ProducerRecord<>(in.name(), "k" + (i % 7), in.encode(Integer.toString(i))));
            }
            producer.flush();
            CountDownLatch meeting = new CountDownLatch(2);
            AtomicInteger met = new AtomicInteger();
            Map<String, List<Integer>> handledByKey = new java.util.concurrent.ConcurrentHashMap<>();
            Map<String, AtomicInteger> runningByKey = new java.util.concurrent.ConcurrentHashMap<>();
            AtomicInteger sameKeyOverlaps = new AtomicInteger();
            AtomicInteger handled = new AtomicInteger();
            Handler<String> randomlySlow = rec -> {
                if (rec.value().equals("meet")) {
                    meeting.countDown();
                    if (meeting.await(30, TimeUnit.SECONDS)) {
                        met.incrementAndGet();
                    }
                    return List.of();
                }
                AtomicInteger running = runningByKey.computeIfAbsent(rec.key(), k -> new AtomicInteger());
                if (running.incrementAndGet() > 1) {
                    sameKeyOverlaps.incrementAndGet();
                }
                try {
                    Thread.sleep(ThreadLocalRandom.current().nextInt(6));
                    handledByKey.computeIfAbsent(rec.key(), k -> new CopyOnWriteArrayList<>()).add(Integer.parseInt(rec.value()));
                } finally {
                    running.decrementAndGet();
                }
                handled.incrementAndGet();
                return List.of();
            };
            Runner runner = Runner.atLeastOnce(RunnerOptions.from(config, group), List.of(Route.of(in, randomlySlow).keyOrdered()),
                    KafkaClients.consumer(config, group, "ordered"), producer).start();
            try {
                waitUntil(() -> handled.get() == total && met.get() == 2, Duration.ofSeconds(60));
                assertThat(sameKeyOverlaps).hasValue(0);
                assertThat(handledByKey).hasSize(7);
                handledByKey.forEach((key, values) -> {
                    int k = Integer.parseInt(key.substring(1));
                    List<Integer> produced = java.util.stream.IntStream.range(0, total).filter(i -> i % 7 == k).boxed().toList();
                    assertThat(values).as("records of %s in offset order", key).isEqualTo(produced);
                });
            } finally {
                runner.close();
            }
        }
    }

    @Test
    void aTransientFailureHoldsTheLaterRecordsOfItsKeyButNotOtherKeys() throws Exception {
        TopicSpec<String> in = topic("ordered-transient-in");
        String group = "ordered-transient-" + UUID.randomUUID();
        AtomicInteger attempts = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean databaseBack = new java.util.concurrent.atomic.AtomicBoolean();
        List<String> handled = new CopyOnWriteArrayList<>();
        CountDownLatch otherKeyDone = new CountDownLatch(2);
        AtomicInteger failuresAnswered = new AtomicInteger();
        Handler<String> flaky = rec -> {
            if (rec.value().equals("held-0") && (attempts.incrementAndGet() < 3 || !databaseBack.get())) {
                throw new java.sql.SQLTransientConnectionException("database restarting", "08001");
            }
            handled.add(rec.value());
            if (rec.key().equals("free")) {
                otherKeyDone.countDown();
            }
            return List.of();
        };
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config, "runner-it")) {
            // All on one partition, the held key's second record before the other key's.
            for (String[] r : new String[][] {{"held", "held-0"}, {"held", "held-1"}, {"free", "free-2"}, {"free", "free-3"}}) {
                producer.send(new ProducerRecord<>(in.name(), 0, r[0], in.encode(r[1]))).get();
            }
            Runner runner = Runner.atLeastOnce(RunnerOptions.from(config, group), List.of(Route.of(in, flaky, (rec, e) -> {
                failuresAnswered.incrementAndGet();
                return List.of();
            }).keyOrdered()), KafkaClients.consumer(config, group, "ordered-transient"), producer).start();
            try {
                assertThat(otherKeyDone.await(60, TimeUnit.SECONDS)).as("the other key went on").isTrue();
                waitUntil(() -> attempts.get() >= 3, Duration.ofSeconds(30)); // retried in place, twice at least
                // held-0 cannot have succeeded yet, so held-1, dispatched before free-2, still waits behind it.
                assertThat(handled).containsExactly("free-2", "free-3");
                databaseBack.set(true);
                waitUntil(() -> handled.size() == 4, Duration.ofSeconds(30));
                assertThat(handled).containsExactly("free-2", "free-3", "held-0", "held-1");
                assertThat(failuresAnswered).hasValue(0);
            } finally {
                runner.close();
            }
        }
    }

    private static TopicSpec<String> topic(String prefix) {
        TopicSpec<String> t = new TopicSpec<>(prefix + "-" + UUID.randomUUID(), String.class, "test", Map.of());
        createTopics(t.name());
        return t;
    }

    private static void createTopics(String... names) {
        try (Admin admin = KafkaClients.admin(config, "runner-it")) {
            List<NewTopic> topics = new ArrayList<>();
            for (String n : names) {
                topics.add(new NewTopic(n, 3, (short) 1));
            }
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void produce(TopicSpec<String> topic, int n) throws Exception {
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config, "runner-it-feed")) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic.name(), "k" + (i % 17), topic.encode(Integer.toString(i))));
            }
            producer.flush();
        }
    }

    /**
     * How often each value (JSON quotes removed) appears on {@code topic}, read committed from the
     * start, until {@code distinct} values were seen or the timeout passed, and then for {@code quiet}.
     */
    private static Map<String, Integer> readValues(TopicSpec<String> topic, int distinct, Duration timeout, Duration quiet) {
        Map<String, Integer> seen = new HashMap<>();
        try (KafkaConsumer<String, byte[]> reader = KafkaClients.consumer(config, "reader-" + UUID.randomUUID(), "reader")) {
            reader.subscribe(List.of(topic.name()));
            long deadline = System.nanoTime() + timeout.toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                reader.poll(Duration.ofMillis(200)).forEach(r -> seen.merge(
                        new String(r.value(), StandardCharsets.UTF_8).replace("\"", ""), 1, Integer::sum));
                if (seen.size() >= distinct && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + quiet.toNanos();
                }
            }
        }
        return seen;
    }

    private static ConsumerRecord<String, byte[]> firstMatching(String topic,
            java.util.function.Predicate<ConsumerRecord<String, byte[]>> match) {
        try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(config, "reader-" + UUID.randomUUID(), "reader")) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (match.test(r)) {
                        return r;
                    }
                }
            }
        }
        throw new AssertionError("No matching record on " + topic + " within 60 s");
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Condition not met within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
