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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
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
    void nothingIsLostWhenAConsumerIsKilledWithRecordsInFlightAndAnotherTakesOver() throws Exception {
        TopicSpec<String> in = topic("runner-in");
        TopicSpec<String> out = topic("runner-out");
        String group = "runner-restart-" + UUID.randomUUID();
        int total = 300;
        produce(in, total);

        KilledMember.Member killed = KilledMember.Member.start("at-least-once", bootstrap(), group, in, out);
        awaitCommittedOutputs(out, total / 3);
        killed.kill();

        Set<String> again = ConcurrentHashMap.newKeySet();
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config, "runner-it")) {
            Runner second = Runner.atLeastOnce(RunnerOptions.from(config, group),
                    List.of(KilledMember.slowAndSometimesFailing(in, out, again::add)),
                    KafkaClients.consumer(config, group, "second"), producer).start();
            try {
                awaitCommittedToTheEnd(group, in);
                Set<String> expected = new HashSet<>();
                for (int n = 0; n < total; n++) {
                    expected.add(n % 50 == 0 ? "failed-" + n : Integer.toString(n));
                }
                assertThat(readToTheEnd(out).keySet()).isEqualTo(expected);
                // The kill really left records it had begun to the second consumer (otherwise this proves little).
                assertThat(again).as("records the killed consumer had begun, done again").containsAnyElementsOf(killed.handled());
            } finally {
                second.close();
            }
        }
    }

    @Test
    void exactlyOnceModePublishesEachOutputOnceAcrossAKillAndATakeover() throws Exception {
        TopicSpec<String> in = topic("eos-in");
        TopicSpec<String> out = topic("eos-out");
        String group = "eos-" + UUID.randomUUID();
        int total = 300;
        produce(in, total);

        KilledMember.Member killed = KilledMember.Member.start("exactly-once", bootstrap(), group, in, out);
        awaitCommittedOutputs(out, total / 3);
        killed.kill();

        // Another instance, not the killed one restarted: its transaction is left open until the broker times it out.
        Set<String> again = ConcurrentHashMap.newKeySet();
        Runner second = successor(group, in, out, again);
        try {
            awaitCommittedToTheEnd(group, in);
            Map<String, Integer> seen = readToTheEnd(out);
            assertThat(seen).hasSize(2 * total);
            assertThat(seen.values()).as("each output exactly once").containsOnly(1);
            assertThat(again).as("records the killed member had begun, done again").containsAnyElementsOf(killed.handled());
        } finally {
            second.close();
        }
    }

    @Test
    void workFinishingAfterAQuietSpellIsCommittedAtOnceNotAtTheNextTickOfTheCommitInterval() throws Exception {
        TopicSpec<String> in = topic("quiet-in");
        TopicSpec<String> out = topic("quiet-out");
        // An interval far longer than the wait below: a runner counting it from its own start, or from
        // the empty commits of its idle polls, would not commit in time.
        Config hourly = config.with(Settings.COMMIT_INTERVAL, "PT1H");
        try (Runner runner = KafkaClients.exactlyOnceRunner(hourly, "quiet-" + UUID.randomUUID(),
                List.of(Route.of(in, rec -> List.of(Outgoing.to(out, rec.key(), rec.value()))))).start()) {
            produce(in, 1);
            // The record itself, read committed: an end offset would also pass once the broker aborted
            // the transaction at its timeout.
            assertThat(readValues(out, 1, Duration.ofSeconds(30))).containsExactly(Map.entry("0", 1));
        }
    }

    @Test
    void aMemberFrozenPastItsSessionLosesItsPartitionsAndPublishesNothingAgainWhenItWakes() throws Exception {
        TopicSpec<String> in = topic("lost-in");
        TopicSpec<String> out = topic("lost-out");
        String group = "lost-" + UUID.randomUUID();
        int total = 300;
        produce(in, total);

        KilledMember.Member frozen = KilledMember.Member.start("exactly-once-telling-lost", bootstrap(), group, in, out);
        Runner second = null;
        try {
            awaitCommittedOutputs(out, total / 3);
            frozen.signal("STOP"); // with records in flight and an open transaction, as in a long GC pause

            // The group moves its partitions once its session (10 s) expires; the successor finishes the input.
            Set<String> again = ConcurrentHashMap.newKeySet();
            second = successor(group, in, out, again);
            awaitCommittedToTheEnd(group, in);

            frozen.signal("CONT"); // it wakes with its workers mid-record and its old transaction
            assertThat(frozen.lost().await(60, TimeUnit.SECONDS)).as("the woken member was told its partitions are lost")
                    .isTrue();
            awaitCommittedToTheEnd(group, in);
            Map<String, Integer> seen = readToTheEnd(out);
            assertThat(seen).hasSize(2 * total);
            assertThat(seen.values()).as("each output exactly once, whatever the woken member finished").containsOnly(1);
            assertThat(again).as("records the frozen member had begun, done again").containsAnyElementsOf(frozen.handled());
        } finally {
            if (second != null) {
                second.close();
            }
            frozen.kill();
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
                Set<String> seen = readValues(out, 5, Duration.ofSeconds(30)).keySet();
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
            Set<String> seen = readValues(out, 3, Duration.ofSeconds(30)).keySet();
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
                Set<String> seen = readValues(out, total, Duration.ofSeconds(60)).keySet();
                assertThat(seen).hasSize(total);
            } finally {
                runner.close();
            }
        }
    }

    @Test
    void recordsLargerThanTheByteLimitStillRunOneBatchAtATimeAndAllFinish() throws Exception {
        TopicSpec<String> in = topic("runner-bytes-in");
        TopicSpec<String> out = topic("runner-bytes-out");
        int total = 40;
        produce(in, total);
        String group = "runner-bytes-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config, "runner-it");
                Runner runner = Runner.atLeastOnce(RunnerOptions.from(config, group).withMaxInFlightBytes(1),
                        List.of(Route.of(in, rec -> List.of(Outgoing.to(out, rec.key(), rec.value())))),
                        KafkaClients.consumer(config, group, "bytes"), producer).start()) {
            // Every record is over the limit: the runner pauses after each poll and resumes once it drained.
            assertThat(readValues(out, total, Duration.ofSeconds(60)).keySet()).hasSize(total);
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

    /** Each value (JSON quotes removed) seen on {@code topic}, read committed from the start, until {@code distinct} were or the timeout passed. */
    private static Map<String, Integer> readValues(TopicSpec<String> topic, int distinct, Duration timeout) {
        Map<String, Integer> seen = new HashMap<>();
        try (KafkaConsumer<String, byte[]> reader = KafkaClients.consumer(config, "reader-" + UUID.randomUUID(), "reader")) {
            reader.subscribe(List.of(topic.name()));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (seen.size() < distinct && System.nanoTime() < deadline) {
                reader.poll(Duration.ofMillis(200)).forEach(r -> seen.merge(value(r), 1, Integer::sum));
            }
        }
        return seen;
    }

    private static String value(ConsumerRecord<String, byte[]> r) {
        return new String(r.value(), StandardCharsets.UTF_8).replace("\"", "");
    }

    /** The member that takes over from one killed or frozen in its own JVM: another instance, as the services' wiring builds it. */
    private static Runner successor(String group, TopicSpec<String> in, TopicSpec<String> out, Set<String> handled) {
        Config successor = Config.of(Map.of(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), bootstrap(),
                Settings.INSTANCE_ID.name(), "successor"));
        return KafkaClients.exactlyOnceRunner(successor, group,
                List.of(Route.of(in, KilledMember.slowCopies(out, handled::add)))).start();
    }

    private static String bootstrap() {
        return config.get(Settings.KAFKA_BOOTSTRAP_SERVERS);
    }

    /**
     * Until {@code n} outputs are committed (the killed member got that far), while every seventh
     * record still has most of its 3 s to run: the kill then lands between commits, with work in flight.
     */
    private static void awaitCommittedOutputs(TopicSpec<String> out, int n) throws Exception {
        try (Admin admin = KafkaClients.admin(config, "runner-it")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long committed = 0;
            while (committed < n) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Only " + committed + " of " + n + " outputs committed on " + out.name() + " within 60 s");
                }
                Thread.sleep(10);
                committed = endOffsets(admin, out.name(), IsolationLevel.READ_COMMITTED).values().stream().mapToLong(Long::longValue).sum();
            }
        }
    }

    /** Until the group's commits reach the end of {@code in}: every record's work, outputs included, is then done. */
    private static void awaitCommittedToTheEnd(String group, TopicSpec<String> in) throws Exception {
        try (Admin admin = KafkaClients.admin(config, "runner-it")) {
            Map<TopicPartition, Long> ends = new HashMap<>(endOffsets(admin, in.name(), IsolationLevel.READ_UNCOMMITTED));
            ends.values().removeIf(end -> end == 0); // a partition no key hashed to: nothing to commit there
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            Map<TopicPartition, Long> committed = new HashMap<>();
            while (!ends.entrySet().stream().allMatch(e -> committed.getOrDefault(e.getKey(), -1L) >= e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Group " + group + " did not commit up to " + ends + " within 120 s; committed: " + committed);
                }
                Thread.sleep(50);
                committed.clear();
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                        .forEach((tp, o) -> committed.put(tp, o == null ? -1L : o.offset()));
            }
        }
    }

    /**
     * How often each value appears on {@code topic}, read committed up to its end once no transaction
     * is open on it (the last stable offset is the high watermark): a count, not a wait for quiet.
     */
    private static Map<String, Integer> readToTheEnd(TopicSpec<String> topic) throws Exception {
        Map<TopicPartition, Long> ends;
        try (Admin admin = KafkaClients.admin(config, "runner-it")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(ends = endOffsets(admin, topic.name(), IsolationLevel.READ_COMMITTED))
                    .equals(endOffsets(admin, topic.name(), IsolationLevel.READ_UNCOMMITTED))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("A transaction stayed open on " + topic.name() + " for 60 s: stable up to " + ends);
                }
                Thread.sleep(50);
            }
        }
        Map<String, Integer> seen = new HashMap<>();
        try (KafkaConsumer<String, byte[]> reader = KafkaClients.reader(config, "runner-it-reader")) {
            reader.assign(ends.keySet());
            reader.seekToBeginning(ends.keySet());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!ends.entrySet().stream().allMatch(e -> reader.position(e.getKey()) >= e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Did not read " + topic.name() + " to " + ends + " within 60 s");
                }
                reader.poll(Duration.ofMillis(200)).forEach(r -> seen.merge(value(r), 1, Integer::sum));
            }
        }
        return seen;
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic, IsolationLevel isolation) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(isolation)).all().get(30, TimeUnit.SECONDS)
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
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
