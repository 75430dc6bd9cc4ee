package io.askflow.systemtests;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.embedded.Infrastructure;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Outgoing;
import io.askflow.kafka.Route;
import io.askflow.kafka.Runner;
import io.askflow.kafka.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What askflow's exactly-once {@link Runner} costs per hop over the bare floor: one record at a time
 * produced to a topic, passed on unchanged by a runner (its own group, a handler that does nothing
 * else), and read {@code read_committed} on the next topic; against {@link HopFloor}'s plain and
 * exactly-once hops on the same broker in the same run. Only the broker runs, so the services' own
 * work is not in the figure. Not in the default suite; run with:
 *
 * <pre>./askflow test -pl system-tests -am -Daskflow.excludedGroups= -Dgroups=benchmark -Dtest=RunnerHopBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * {@code -Dbench.env=NAME=VALUE,...} sets askflow variables for every runner; {@code -Dhop.variant=NAME=VALUE,...}
 * adds a second runner series with those set too (e.g. ASKFLOW_COMMIT_INTERVAL=PT0.001S), measured
 * in the same rounds.
 */
@Tag("benchmark")
class RunnerHopBenchmark {
    private static final int N = Integer.getInteger("hop.n", 300);

    @Test
    void runnerHopAgainstTheFloor() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), Infrastructure.shared().kafka().bootstrapServers());
        RunningPipeline.putPairs(env, System.getProperty("bench.env", ""));
        Config config = Config.of(env);
        String variant = System.getProperty("hop.variant", "");
        Config variantConfig = Config.of(RunningPipeline.putPairs(new HashMap<>(env), variant));
        // Alternating rounds, so a drift in the machine's load shows in all three alike.
        List<HopFloor.Result> plain = new ArrayList<>();
        List<HopFloor.Result> eos = new ArrayList<>();
        List<Long> runner = new ArrayList<>();
        List<Long> runnerVariant = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            plain.add(HopFloor.measure(config, false, N / 3));
            eos.add(HopFloor.measure(config, true, N / 3));
            runner.addAll(runnerHop(config, N / 3));
            if (!variant.isBlank()) {
                runnerVariant.addAll(runnerHop(variantConfig, N / 3));
            }
        }
        HopFloor.Result p = merged(plain);
        HopFloor.Result e = merged(eos);
        runner.sort(null);
        HopFloor.Result r = new HopFloor.Result(runner);
        System.out.printf("%none hop, %d records each, %s%n", runner.size(), env.keySet().stream()
                .filter(k -> !k.equals(Settings.KAFKA_BOOTSTRAP_SERVERS.name())).map(k -> k + "=" + env.get(k)).toList());
        p.print("plain floor");
        e.print("exactly-once floor");
        r.print("askflow runner (exactly once)");
        System.out.printf("  runner / exactly-once floor: p50 %.2f, p99 %.2f%n", r.p50() / e.p50(), r.p99() / e.p99());
        if (!variant.isBlank()) {
            runnerVariant.sort(null);
            HopFloor.Result v = new HopFloor.Result(runnerVariant);
            v.print("askflow runner with " + variant);
            System.out.printf("  variant / exactly-once floor: p50 %.2f, p99 %.2f%n", v.p50() / e.p50(), v.p99() / e.p99());
        }
    }

    private static HopFloor.Result merged(List<HopFloor.Result> rounds) {
        List<Long> micros = new ArrayList<>();
        List<long[]> phases = new ArrayList<>();
        for (HopFloor.Result one : rounds) {
            micros.addAll(one.micros());
            phases.addAll(one.phases());
        }
        micros.sort(null);
        return new HopFloor.Result(micros, phases);
    }

    private static List<Long> runnerHop(Config config, int n) throws Exception {
        String tag = "runner-" + UUID.randomUUID().toString().substring(0, 8);
        String in = "bench.hop-in-" + tag;
        String out = "bench.hop-out-" + tag;
        try (Admin admin = KafkaClients.admin(config, "hop-admin-" + tag)) {
            admin.createTopics(List.of(new NewTopic(in, 1, (short) 1), new NewTopic(out, 1, (short) 1))).all().get();
        }
        TopicSpec<byte[]> inSpec = new TopicSpec<>(in, byte[].class, "benchmark input", Map.of());
        Route<byte[]> pass = Route.of(inSpec, rec -> List.of(new Outgoing(out, rec.key(), rec.value(), Map.of())));
        TopicPartition outTp = new TopicPartition(out, 0);
        try (Runner runner = KafkaClients.exactlyOnceRunner(config, "hop-group-" + tag, List.of(pass)).start();
                KafkaProducer<String, byte[]> source = KafkaClients.producer(config, "hop-source-" + tag);
                KafkaConsumer<String, byte[]> sink = KafkaClients.reader(config, "hop-sink-" + tag)) {
            sink.assign(List.of(outTp));
            sink.seekToBeginning(List.of(outTp));
            int warmup = 20;
            List<Long> micros = new ArrayList<>();
            for (int i = 0; i < warmup + n; i++) {
                long t0 = System.nanoTime();
                source.send(new ProducerRecord<>(in, "k", new byte[100]));
                long deadline = t0 + Duration.ofSeconds(30).toNanos();
                while (sink.poll(Duration.ofMillis(1)).isEmpty()) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("record " + i + " did not pass the runner within 30 s");
                    }
                }
                if (i >= warmup) {
                    micros.add((System.nanoTime() - t0) / 1_000);
                }
            }
            return micros;
        }
    }
}
