package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Topics;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.message.Json;
import io.askflow.message.PromptRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A burst: N turns produced at once to {@code askflow.requests}, each in its own conversation, as a
 * backend would produce them; answers read {@code read_committed} as a backend would read them. The
 * four services run in this JVM with their own clients and consumer groups (as {@code ./askflow serve}
 * runs them), the broker in a child JVM, PostgreSQL in its own processes. Prints the sustained rate,
 * latency from produce to visibility, where the slowest turns spent their time (record timestamps on
 * every topic), CPU per turn of each process and the machine's idle share, and the plain and
 * exactly-once hop floors measured on the same broker in the same run. Asserts that every turn is
 * answered exactly once. Not in the default suite; run with (all properties optional):
 *
 * <pre>./askflow test -pl system-tests -am -Daskflow.excludedGroups= -Dgroups=benchmark -Dtest=BurstBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dburst.n=2000 -Dburst.modelMs=0 -Dburst.tools=0</pre>
 */
@Tag("benchmark")
class BurstBenchmark {
    private static final int N = Integer.getInteger("burst.n", 2_000);
    private static final int MODEL_MS = Integer.getInteger("burst.modelMs", 0);
    private static final int TOOL_ROUNDS = Integer.getInteger("burst.tools", 0);
    private static final int HOPS = Integer.getInteger("burst.hops", 300);
    private static final int SEQUENTIAL = Integer.getInteger("burst.sequential", 100);

    @Test
    void burst() throws Exception {
        RunningPipeline p = RunningPipeline.get();
        Duration delay = Duration.ofMillis(MODEL_MS);
        p.model.respondWith(req -> TOOL_ROUNDS > 0 && req.lastMessage().orElseThrow().hasRole("user")
                ? Reply.toolCall("current_time", "{}").withDelay(delay)
                : Reply.text("pong").withDelay(delay));
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try (AnswerWatch watch = new AnswerWatch(p)) {
            // Warm-up: the consumer groups' first joins and the JIT's first compilations are not the burst.
            watch.run(tag + "-warm", 50, true);

            HopFloor.Result plain = HopFloor.measure(p.config, false, HOPS);
            HopFloor.Result eos = HopFloor.measure(p.config, true, HOPS);
            Burst.Result seq = watch.run(tag + "-seq", SEQUENTIAL, false);

            Machine before = Machine.sample(p);
            Burst.Result burst = watch.run(tag + "-burst", N, true);
            Machine after = Machine.sample(p);

            System.out.printf("%n=== burst benchmark: N=%d, model %d ms, %d tool round(s); load average before %s, after %s ===%n",
                    N, MODEL_MS, TOOL_ROUNDS, before.loadAverage, after.loadAverage);
            burst.print("burst");
            System.out.printf("  sustained (middle 80%%): %.0f answers/s; overall %.0f answers/s; last answer %.2f s after the first produce; "
                    + "1.5 x N / sustained = %.2f s%n", burst.sustainedRate(), N / burst.spanSeconds(), burst.spanSeconds(),
                    1.5 * N / burst.sustainedRate());
            after.printDelta(before, N);
            burst.printStages(p, 10);
            seq.print("sequential (one turn at a time)");
            plain.print("plain hop floor (consume, produce acks=all, read)");
            eos.print("exactly-once hop floor (consume read_committed, produce + offsets in one transaction, read read_committed)");
            int hops = 3 + 2 * TOOL_ROUNDS;
            System.out.printf("  ratios: exactly-once / plain hop p50 %.1f; sequential turn p50 / (%d x exactly-once hop p50) %.2f; "
                    + "p99 %.1f ms%n", eos.p50() / plain.p50(), hops, seq.p50() / (hops * eos.p50()), seq.p99());

            burst.assertExactlyOnce();
            seq.assertExactlyOnce();
        }
    }

    /** Produces turns and reads their answers read_committed, each answer's visibility time recorded. */
    static final class AnswerWatch implements AutoCloseable {
        private final RunningPipeline p;
        private final KafkaProducer<String, byte[]> producer;
        private final KafkaConsumer<String, byte[]> reader;
        private final Thread thread;
        private final Map<String, List<Long>> visible = new ConcurrentHashMap<>();
        private final Map<String, Boolean> ok = new ConcurrentHashMap<>();
        /** When each turn became readable read_committed on askflow.turns (what the context-builder can see). */
        private final Map<String, Long> turnVisible = new ConcurrentHashMap<>();
        private final KafkaConsumer<String, byte[]> turnsReader;
        private final Thread turnsThread;
        private volatile boolean closed;

        AnswerWatch(RunningPipeline p) {
            this.p = p;
            producer = KafkaClients.producer(p.config, "burst-driver");
            reader = TopicReader.fromTheEnd(p.config, Topics.ANSWERS, "burst-reader");
            thread = Thread.ofPlatform().name("burst-reader").start(this::read);
            turnsReader = TopicReader.fromTheEnd(p.config, Topics.TURNS, "burst-turns-reader");
            turnsThread = Thread.ofPlatform().name("burst-turns-reader").start(this::readTurns);
        }

        private void readTurns() {
            while (!closed) {
                for (ConsumerRecord<String, byte[]> r : turnsReader.poll(Duration.ofMillis(50))) {
                    long now = System.currentTimeMillis();
                    try {
                        turnVisible.putIfAbsent(Topics.TURNS.decode(r.value()).requestId(), now);
                    } catch (RuntimeException e) {
                        // not a turn this benchmark made; nothing to time
                    }
                }
            }
        }

        private void read() {
            while (!closed) {
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(50))) {
                    long now = System.currentTimeMillis();
                    Answer a = Topics.ANSWERS.decode(r.value());
                    if (a.requestId() != null) {
                        visible.computeIfAbsent(a.requestId(), k -> Collections.synchronizedList(new ArrayList<>())).add(now);
                        ok.put(a.requestId(), a.isOk());
                    }
                }
                for (TopicPartition tp : reader.assignment()) {
                    readTo.put(tp, reader.position(tp));
                }
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        /** Produces {@code n} turns at once ({@code burst}) or one after another's answer. */
        Burst.Result run(String prefix, int n, boolean burst) throws Exception {
            Map<String, Long> produced = new HashMap<>();
            List<String> ids = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ids.add(prefix + "-" + i);
            }
            long first = System.currentTimeMillis();
            for (String id : ids) {
                PromptRequest r = PromptRequest.of(id, "conv-" + id, "ping");
                produced.put(id, System.currentTimeMillis());
                producer.send(new ProducerRecord<>(Topics.REQUESTS.name(), r.conversationId(), Json.write(r)));
                if (!burst) {
                    producer.flush();
                    awaitAll(List.of(id), Duration.ofSeconds(60));
                }
            }
            producer.flush();
            awaitAll(ids, Duration.ofMinutes(5));
            // Every answer of this run is read: whatever else is committed up to now is read too, so duplicates show.
            awaitCaughtUp();
            return new Burst.Result(ids, produced, first, visible, ok, turnVisible);
        }

        private void awaitAll(List<String> ids, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (String id : ids) {
                while (!visible.containsKey(id)) {
                    if (System.nanoTime() > deadline) {
                        return; // the assertion names what is missing
                    }
                    Thread.sleep(5);
                }
            }
        }

        /** Waits until the reader has read everything committed on the answers topic when this was called. */
        private void awaitCaughtUp() throws InterruptedException {
            Map<TopicPartition, Long> end;
            try (KafkaConsumer<String, byte[]> probe = TopicReader.fromTheEnd(p.config, Topics.ANSWERS, "burst-probe")) {
                end = new HashMap<>();
                for (TopicPartition tp : probe.assignment()) {
                    end.put(tp, probe.position(tp)); // read_committed: the last stable offset
                }
            }
            caughtUpTo = end;
            synchronized (this) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!caughtUp() && System.nanoTime() < deadline) {
                    wait(20);
                }
            }
        }

        private volatile Map<TopicPartition, Long> caughtUpTo = Map.of();
        private final Map<TopicPartition, Long> readTo = new ConcurrentHashMap<>();

        private boolean caughtUp() {
            return caughtUpTo.entrySet().stream().allMatch(e -> readTo.getOrDefault(e.getKey(), -1L) >= e.getValue());
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.join();
            turnsThread.join();
            reader.close();
            turnsReader.close();
            producer.close(KafkaClients.CLOSE_TIMEOUT);
        }
    }

    /** Process CPU (services' JVM, broker child JVM, PostgreSQL processes) and the machine's CPU counters. */
    record Machine(long jvmCpuNanos, long brokerTicks, long postgresTicks, long[] stat, String loadAverage) {
        static Machine sample(RunningPipeline p) {
            return new Machine(ProcStat.jvmCpuNanos(), ProcStat.brokerTicks(), ProcStat.postgresTicks(p),
                    ProcStat.machine(), ProcStat.loadAverage());
        }

        void printDelta(Machine before, int turns) {
            double jvm = (jvmCpuNanos - before.jvmCpuNanos) / 1e9;
            double broker = (brokerTicks - before.brokerTicks) / (double) ProcStat.TICKS;
            double pg = (postgresTicks - before.postgresTicks) / (double) ProcStat.TICKS;
            long total = 0;
            for (int i = 0; i < stat.length; i++) {
                total += stat[i] - before.stat[i];
            }
            long idle = (stat[3] - before.stat[3]) + (stat[4] - before.stat[4]);
            double seconds = total / (double) ProcStat.TICKS / Runtime.getRuntime().availableProcessors();
            System.out.printf("  CPU per turn: services' JVM %.2f ms (includes the scripted model server and this driver), "
                    + "broker %.2f ms, PostgreSQL %.2f ms; total %.1f CPU-s over %.1f s wall on %d cores%n",
                    jvm * 1000 / turns, broker * 1000 / turns, pg * 1000 / turns, jvm + broker + pg, seconds,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf("  machine idle share during the burst: %.0f%% (whole machine, other work included)%n",
                    100.0 * idle / Math.max(1, total));
        }
    }
}
