package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.kafka.Topics;
import io.askflow.message.AskflowMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What a run of turns came to: latencies from produce to read_committed visibility, and the stages. */
final class Burst {
    private Burst() {
    }

    static final class Result {
        private final List<String> ids;
        private final Map<String, Long> produced;
        private final long firstProduce;
        private final Map<String, List<Long>> visible;
        private final Map<String, Boolean> ok;
        private final Map<String, Long> turnVisible;
        private final List<Long> latencies = new ArrayList<>();
        private final List<Long> arrivals = new ArrayList<>();

        Result(List<String> ids, Map<String, Long> produced, long firstProduce, Map<String, List<Long>> visible,
                Map<String, Boolean> ok, Map<String, Long> turnVisible) {
            this.ids = ids;
            this.turnVisible = turnVisible;
            this.produced = produced;
            this.firstProduce = firstProduce;
            this.visible = visible;
            this.ok = ok;
            for (String id : ids) {
                List<Long> seen = visible.get(id);
                if (seen != null && !seen.isEmpty()) {
                    latencies.add(seen.get(0) - produced.get(id));
                    arrivals.add(seen.get(0));
                }
            }
            latencies.sort(null);
            arrivals.sort(null);
        }

        double p50() {
            return pct(latencies, 50);
        }

        double p99() {
            return pct(latencies, 99);
        }

        /** Answers per second between the 10th and the 90th percentile answer. */
        double sustainedRate() {
            int lo = (int) (arrivals.size() * 0.1);
            int hi = (int) Math.ceil(arrivals.size() * 0.9) - 1;
            double seconds = Math.max(1, arrivals.get(hi) - arrivals.get(lo)) / 1000.0;
            return (hi - lo) / seconds;
        }

        double spanSeconds() {
            return (arrivals.get(arrivals.size() - 1) - firstProduce) / 1000.0;
        }

        void print(String label) {
            System.out.printf("  %s: %d turns, %d answered; latency produce -> read_committed visible p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                    label, ids.size(), latencies.size(), p50(), p99(), latencies.isEmpty() ? 0.0 : latencies.get(latencies.size() - 1));
        }

        void assertExactlyOnce() {
            List<String> missing = ids.stream().filter(id -> !visible.containsKey(id)).toList();
            List<String> twice = ids.stream().filter(id -> visible.containsKey(id) && visible.get(id).size() > 1).toList();
            List<String> failed = ids.stream().filter(id -> Boolean.FALSE.equals(ok.get(id))).toList();
            assertThat(missing).as("turns without an answer").isEmpty();
            assertThat(twice).as("turns answered more than once").isEmpty();
            assertThat(failed).as("turns answered with an error").isEmpty();
        }

        /**
         * Where the turns spent their time, from the record timestamps (CreateTime: when the stage's
         * producer sent the record, inside its transaction) on each topic. A stage's time includes
         * waiting for the previous stage's transaction to commit.
         */
        void printStages(RunningPipeline p, int slowest) {
            Map<String, Integer> turnPartition = new HashMap<>();
            Map<String, Long> turn = firstTimestamps(p.config, Topics.TURNS.name(), v -> Topics.TURNS.decode(v), turnPartition);
            Map<String, Long> call = firstTimestamps(p.config, Topics.MODEL_CALLS.name(), v -> Topics.MODEL_CALLS.decode(v));
            Map<String, Long> answer = firstTimestamps(p.config, Topics.ANSWERS.name(), v -> Topics.ANSWERS.decode(v));
            List<String> stageNames = List.of("request->turn (gateway)", "turn->model-call (context-builder)",
                    "model-call->answer (model-caller, tools)", "answer sent->visible (commit, read)");
            List<List<Long>> stages = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                stages.add(new ArrayList<>());
            }
            List<String> answered = ids.stream().filter(id -> visible.containsKey(id) && turn.containsKey(id)
                    && call.containsKey(id) && answer.containsKey(id)).toList();
            for (String id : answered) {
                long[] s = stagesOf(id, turn, call, answer);
                for (int i = 0; i < 4; i++) {
                    stages.get(i).add(s[i]);
                }
            }
            System.out.println("  stages over all turns (ms):");
            for (int i = 0; i < 4; i++) {
                List<Long> s = stages.get(i);
                s.sort(null);
                System.out.printf("    %-42s p50 %6.0f  p99 %6.0f  max %6.0f%n", stageNames.get(i), pct(s, 50), pct(s, 99),
                        s.isEmpty() ? 0.0 : s.get(s.size() - 1));
            }
            // A tail that is one partition's (or one consumer's) shows here as a few partitions far above the rest.
            Map<Integer, List<Long>> byPartition = new java.util.TreeMap<>();
            for (String id : answered) {
                byPartition.computeIfAbsent(turnPartition.get(id), k -> new ArrayList<>()).add(stagesOf(id, turn, call, answer)[1]);
            }
            printByPartition("  context-builder stage by askflow.turns partition, p50/max (s):", byPartition);
            // Of that stage, how long a turn was sent but not yet readable read_committed (its
            // transaction, or an earlier one still open on the partition, holding the stable offset back).
            Map<Integer, List<Long>> hidden = new java.util.TreeMap<>();
            for (String id : answered) {
                Long seen = turnVisible.get(id);
                if (seen != null) {
                    hidden.computeIfAbsent(turnPartition.get(id), k -> new ArrayList<>()).add(seen - turn.get(id));
                }
            }
            printByPartition("    of it, turn sent -> readable read_committed, p50/max (s):", hidden);
            List<String> worst = answered.stream()
                    .sorted(Comparator.comparingLong((String id) -> visible.get(id).get(0) - produced.get(id)).reversed())
                    .limit(slowest).toList();
            System.out.printf("  the %d slowest turns: total, then the four stages (ms), then when its request was produced (ms after the first)%n",
                    worst.size());
            for (String id : worst) {
                long[] s = stagesOf(id, turn, call, answer);
                System.out.printf("    %-28s %6d = %6d + %6d + %6d + %6d   produced at +%d%n", id,
                        visible.get(id).get(0) - produced.get(id), s[0], s[1], s[2], s[3], produced.get(id) - firstProduce);
            }
        }

        /** One line: each partition's p50 and max of {@code millis}, in seconds. */
        private static void printByPartition(String label, Map<Integer, List<Long>> millis) {
            StringBuilder line = new StringBuilder(label);
            millis.forEach((partition, times) -> {
                times.sort(null);
                line.append(String.format(" p%d %.1f/%.1f", partition, pct(times, 50) / 1000, times.get(times.size() - 1) / 1000.0));
            });
            System.out.println(line);
        }

        private long[] stagesOf(String id, Map<String, Long> turn, Map<String, Long> call, Map<String, Long> answer) {
            return new long[] {turn.get(id) - produced.get(id), call.get(id) - turn.get(id), answer.get(id) - call.get(id),
                    visible.get(id).get(0) - answer.get(id)};
        }
    }

    /** The first record's timestamp per request id on a topic, read read_committed from the beginning. */
    static Map<String, Long> firstTimestamps(Config config, String topic, Function<byte[], AskflowMessage> decode) {
        return firstTimestamps(config, topic, decode, new HashMap<>());
    }

    /** As above, noting in {@code partitions} which partition each request's first record is in. */
    static Map<String, Long> firstTimestamps(Config config, String topic, Function<byte[], AskflowMessage> decode,
            Map<String, Integer> partitions) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(Settings.KAFKA_BOOTSTRAP_SERVERS));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        Map<String, Long> first = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    try {
                        String requestId = decode.apply(r.value()).requestId();
                        first.putIfAbsent(requestId, r.timestamp());
                        partitions.putIfAbsent(requestId, r.partition());
                    } catch (RuntimeException e) {
                        // not a message of a turn (none are expected here); it has no stage to report
                    }
                }
            }
        }
        return first;
    }

    static double pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, i));
    }
}
