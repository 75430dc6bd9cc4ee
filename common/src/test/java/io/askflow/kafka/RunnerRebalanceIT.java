package io.askflow.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.embedded.Infrastructure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberAssignment;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rebalances of exactly-once runners on the real broker: a member joining or leaving moves only
 * the partitions that change owner (cooperative-sticky), the others keep being processed and committed
 * meanwhile, and work still running when a drain ends is done again by the new owner and
 * published once. Outputs go to a one-partition topic, so reading up to a later marker has read
 * everything committed before it: duplicates are found without waiting for quiet.
 */
class RunnerRebalanceIT {
    private static String bootstrap;

    private final List<Runner> runners = new ArrayList<>();
    private Gates gates;
    private Admin admin;
    private KafkaProducer<String, byte[]> feed;

    @BeforeAll
    static void broker() {
        bootstrap = Infrastructure.shared().kafka().bootstrapServers();
    }

    @BeforeEach
    void clients() {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        feed = KafkaClients.producer(config(null), "rebalance-it-feed");
    }

    @AfterEach
    void stop() {
        if (gates != null) {
            gates.openAll();
        }
        runners.forEach(Runner::close);
        feed.close();
        admin.close();
    }

    @Test
    void aMemberJoiningOrLeavingMovesOnlyTheirPartitionsWhileTheOthersKeepProcessing() throws Exception {
        TopicSpec<String> in = topic("rebalance-in", 4);
        TopicSpec<String> out = topic("rebalance-out", 1);
        String group = "rebalance-" + UUID.randomUUID();
        gates = new Gates(out, v -> v.startsWith("hold"));
        // A and B are static members, C is not: so C's leaving hands its partitions over at once.
        start(group, in, "A", "a", RunnerOptions.MAX_DRAIN);
        start(group, in, "B", "b", RunnerOptions.MAX_DRAIN);
        awaitGroup(group, d -> d.members().size() == 2 && d.members().stream().allMatch(m -> owned(m).size() == 2));
        produceToEach(in, "w", 4);
        awaitVisible(out, values("w", 4));
        Map<Integer, String> before = gates.ownerOf("w", 4);
        assertThat(new HashSet<>(before.values())).containsExactlyInAnyOrder("A", "B");

        // Every partition has a record in flight when C joins.
        produceToEach(in, "hold", 4);
        gates.awaitWaiting(values("hold", 4));
        Runner c = start(group, in, "C", null, RunnerOptions.MAX_DRAIN);
        // Cooperative rebalancing in two rounds: the first takes the moving partition from its owner
        // and gives it to nobody (the group is stable meanwhile: the owner drains it, the others go on),
        // the second gives it to C. The first round's assignment says which partition moves.
        ConsumerGroupDescription moving = awaitGroup(group, d -> member(d, group + "-C").isPresent()
                && d.members().stream().mapToInt(m -> owned(m).size()).sum() == 3);
        Set<Integer> toC = new TreeSet<>(Set.of(0, 1, 2, 3));
        moving.members().forEach(m -> toC.removeAll(owned(m)));
        assertThat(toC).as("the sticky assignor moves one partition of four to the third member").hasSize(1);
        int y = toC.iterator().next();
        String revoking = before.get(y);
        String unaffected = revoking.equals("A") ? "B" : "A";
        List<Integer> unaffectedPartitions = partitionsOf(before, unaffected);
        int kept = partitionsOf(before, revoking).stream().filter(p -> p != y).findFirst().orElseThrow();
        // The revoking member drains y, whose record is held, before it rejoins for the second round.
        awaitGroup(group, d -> !owned(member(d, group + "-" + revoking).orElseThrow()).contains(y)
                && !owned(member(d, group + "-C").orElseThrow()).contains(y));

        // While the revoking member drains y, the unaffected member takes new records and commits them...
        produceToEach(in, "m1", 4);
        awaitVisible(out, unaffectedPartitions.stream().map(p -> "m1-" + p).toList());
        // ...and the revoking member still commits what finishes on the partition it keeps.
        gates.open("hold-" + kept);
        awaitVisible(out, List.of("hold-" + kept));
        assertThat(owned(member(describe(group), group + "-C").orElseThrow())).as("y is still on its way to C").doesNotContain(y);
        assertThat(gates.handledBy("C")).isEmpty();

        gates.openAll();
        List<String> all = new ArrayList<>(values("w", 4));
        all.addAll(values("hold", 4));
        all.addAll(values("m1", 4));
        awaitVisible(out, all);
        assertThat(gates.ownerOf("m1", 4).get(y)).as("y's record that came during the drain went to C").isEqualTo("C");
        awaitGroup(group, d -> owned(member(d, group + "-C").orElseThrow()).contains(y));
        for (int p = 0; p < 4; p++) {
            if (p != y) {
                assertThat(gates.handlersOn(p)).as("partition %d never moved", p).containsOnly(before.get(p));
            }
        }

        // C leaves while it still holds a record: the others keep going during its drain.
        gates.close("hold2-" + y);
        produceTo(in, y, "hold2-" + y);
        gates.awaitWaiting(List.of("hold2-" + y));
        assertThat(gates.handlersOf("hold2-" + y)).containsExactly("C");
        Thread leaving = Thread.ofVirtual().start(c::close);
        List<Integer> others = IntStream.range(0, 4).filter(p -> p != y).boxed().toList();
        others.forEach(p -> produceTo(in, p, "m2-" + p));
        awaitVisible(out, others.stream().map(p -> "m2-" + p).toList());
        assertThat(leaving.isAlive()).as("C was still draining").isTrue();
        gates.open("hold2-" + y);
        leaving.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(leaving.isAlive()).isFalse();
        produceTo(in, y, "m3-" + y);
        awaitVisible(out, List.of("m3-" + y));
        assertThat(gates.ownerOf("m3", 4).get(y)).isIn("A", "B");

        assertExactlyOnceUpToEndMarkers(in, out, 4);
    }

    @Test
    void aRecordStillRunningWhenTheDrainEndsIsDoneAgainByTheNewOwnerAndPublishedOnce() throws Exception {
        TopicSpec<String> in = topic("drain-in", 2);
        TopicSpec<String> out = topic("drain-out", 1);
        String group = "drain-" + UUID.randomUUID();
        // Only A's attempts wait: the record is slower than A's drain, not than its next owner.
        gates = new Gates(out, v -> v.startsWith("slow"), "A");
        Duration drain = Duration.ofMillis(500);
        Runner a = start(group, in, "A", null, drain);
        awaitGroup(group, d -> d.members().size() == 1 && owned(d.members().iterator().next()).size() == 2);
        produceToEach(in, "slow", 2);
        gates.awaitWaiting(values("slow", 2));

        start(group, in, "B", null, drain);
        waitUntil(() -> gates.handledBy("B").stream().anyMatch(v -> v.startsWith("slow")));
        String moved = gates.handledBy("B").stream().filter(v -> v.startsWith("slow")).findFirst().orElseThrow();
        awaitVisible(out, List.of(moved));
        assertThat(gates.handlersOf(moved)).as("A's attempt outlived the drain; B did it again").containsExactly("A", "B");

        // A's late attempt finishes now: its output must be dropped, the other partition's kept.
        gates.openAll();
        waitUntil(() -> a.inFlight() == 0);
        assertExactlyOnceUpToEndMarkers(in, out, 2);
    }

    /** End markers on every partition, read up to: every output seen exactly once before them. */
    private void assertExactlyOnceUpToEndMarkers(TopicSpec<String> in, TopicSpec<String> out, int partitions) {
        produceToEach(in, "end", partitions);
        Map<String, Integer> seen = awaitVisible(out, values("end", partitions));
        Set<String> handled = gates.handled.stream().map(Handled::value).collect(Collectors.toSet());
        assertThat(seen.keySet()).isEqualTo(handled);
        assertThat(seen).allSatisfy((value, n) -> assertThat(n).as("copies of %s", value).isEqualTo(1));
    }

    private Runner start(String group, TopicSpec<String> in, String name, String instanceId, Duration drain) {
        Config config = config(instanceId);
        RunnerOptions options = new RunnerOptions(group, 64, Duration.ofMillis(50), Duration.ofMillis(10), drain);
        Runner r = Runner.exactlyOnce(options, List.of(Route.of(in, gates.handler(name))),
                KafkaClients.consumer(config, group, group + "-" + name),
                () -> KafkaClients.transactionalProducer(config, group + "-" + name, group + "-" + name)).start();
        runners.add(r);
        return r;
    }

    private static Config config(String instanceId) {
        Map<String, String> values = new HashMap<>(Map.of(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), bootstrap));
        if (instanceId != null) {
            values.put(Settings.INSTANCE_ID.name(), instanceId);
        }
        return Config.of(values);
    }

    /** What every runner's handler did, and gates that hold chosen records in their handler until opened. */
    private static final class Gates {
        private final TopicSpec<String> out;
        private final Predicate<String> held;
        private final Set<String> heldIn;
        private final Map<String, CountDownLatch> latches = new ConcurrentHashMap<>();
        private final Set<String> waiting = ConcurrentHashMap.newKeySet();
        private final Queue<Handled> handled = new ConcurrentLinkedQueue<>();
        private volatile boolean allOpen;

        Gates(TopicSpec<String> out, Predicate<String> held, String... heldIn) {
            this.out = out;
            this.held = held;
            this.heldIn = Set.of(heldIn);
        }

        Handler<String> handler(String instance) {
            return rec -> {
                handled.add(new Handled(instance, rec.partition(), rec.value()));
                if (held.test(rec.value()) && (heldIn.isEmpty() || heldIn.contains(instance))) {
                    waiting.add(rec.value());
                    try {
                        latch(rec.value()).await();
                    } finally {
                        waiting.remove(rec.value());
                    }
                }
                return List.of(Outgoing.to(out, rec.key(), rec.value()));
            };
        }

        private CountDownLatch latch(String value) {
            return latches.computeIfAbsent(value, v -> new CountDownLatch(allOpen ? 0 : 1));
        }

        void close(String value) {
            latches.put(value, new CountDownLatch(1));
        }

        void open(String value) {
            latch(value).countDown();
        }

        void openAll() {
            allOpen = true;
            latches.values().forEach(CountDownLatch::countDown);
        }

        void awaitWaiting(Collection<String> values) throws InterruptedException {
            waitUntil(() -> waiting.containsAll(values));
        }

        Map<Integer, String> ownerOf(String prefix, int partitions) {
            Map<Integer, String> owners = new HashMap<>();
            for (Handled h : handled) {
                if (h.value().equals(prefix + "-" + h.partition()) && h.partition() < partitions) {
                    owners.put(h.partition(), h.instance());
                }
            }
            return owners;
        }

        List<String> handledBy(String instance) {
            return handled.stream().filter(h -> h.instance().equals(instance)).map(Handled::value).toList();
        }

        List<String> handlersOf(String value) {
            return handled.stream().filter(h -> h.value().equals(value)).map(Handled::instance).toList();
        }

        Set<String> handlersOn(int partition) {
            return handled.stream().filter(h -> h.partition() == partition).map(Handled::instance).collect(Collectors.toSet());
        }
    }

    private record Handled(String instance, int partition, String value) {
    }

    private static List<String> values(String prefix, int partitions) {
        return IntStream.range(0, partitions).mapToObj(p -> prefix + "-" + p).toList();
    }

    private static List<Integer> partitionsOf(Map<Integer, String> owners, String instance) {
        return owners.entrySet().stream().filter(e -> e.getValue().equals(instance)).map(Map.Entry::getKey).sorted().toList();
    }

    private void produceToEach(TopicSpec<String> topic, String prefix, int partitions) {
        for (int p = 0; p < partitions; p++) {
            produceTo(topic, p, prefix + "-" + p);
        }
    }

    private void produceTo(TopicSpec<String> topic, int partition, String value) {
        try {
            feed.send(new ProducerRecord<>(topic.name(), partition, value, topic.encode(value))).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the one-partition {@code topic} read_committed from the start until every expected value was seen. */
    private static Map<String, Integer> awaitVisible(TopicSpec<String> topic, Collection<String> expected) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Integer> seen = new HashMap<>();
        try (KafkaConsumer<String, String> reader = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition only = new TopicPartition(topic.name(), 0);
            reader.assign(List.of(only));
            reader.seekToBeginning(List.of(only));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!seen.keySet().containsAll(expected)) {
                if (System.nanoTime() > deadline) {
                    Set<String> missing = new TreeSet<>(expected);
                    missing.removeAll(seen.keySet());
                    throw new AssertionError("Not visible within 60 s: " + missing);
                }
                reader.poll(Duration.ofMillis(100)).forEach(r -> seen.merge(r.value().replace("\"", ""), 1, Integer::sum));
            }
        }
        return seen;
    }

    private ConsumerGroupDescription describe(String group) throws Exception {
        return admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
    }

    private ConsumerGroupDescription awaitGroup(String group, Predicate<ConsumerGroupDescription> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        ConsumerGroupDescription d = null;
        while (System.nanoTime() < deadline) {
            try {
                d = describe(group);
                if (condition.test(d)) {
                    return d;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof GroupIdNotFoundException)) { // not created before its first member joins
                    throw e;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("Group never reached the expected state: " + d);
    }

    private static Optional<MemberDescription> member(ConsumerGroupDescription d, String clientId) {
        return d.members().stream().filter(m -> m.clientId().equals(clientId)).findFirst();
    }

    private static Set<Integer> owned(MemberDescription m) {
        return partitions(m.assignment());
    }

    private static Set<Integer> partitions(MemberAssignment a) {
        return a.topicPartitions().stream().map(TopicPartition::partition).collect(Collectors.toSet());
    }

    private TopicSpec<String> topic(String prefix, int partitions) {
        TopicSpec<String> t = new TopicSpec<>(prefix + "-" + UUID.randomUUID(), String.class, "test", Map.of());
        try {
            admin.createTopics(List.of(new NewTopic(t.name(), partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return t;
    }

    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Condition not met within 60 s");
            }
            Thread.sleep(20);
        }
    }
}
