package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.embedded.Infrastructure;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Topics;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.message.ChatMessage;
import io.askflow.message.Envelope;
import io.askflow.message.ModelCall;
import io.askflow.openai.OpenAiClientPool;
import io.askflow.openai.OpenAiClients;
import io.askflow.testkit.ReceivedRequest;
import io.askflow.testkit.ScriptedModelServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How much load one model-caller instance holds (issue 10 item 5): N model calls produced at once to
 * {@code askflow.model-calls}, the scripted model answering each after a fixed latency, one
 * model-caller running as a process of its own with a bounded heap ({@code -Xmx}, and
 * {@code ExitOnOutOfMemoryError}, so a heap too small ends the run instead of slowing it). First the
 * scripted server alone is driven by openai-java from this JVM with as many calls at once as the
 * model-caller's cap, so that the server is shown not to be the limit. Prints the peak number of
 * calls in flight at the server (arrivals within one response time), the sustained rate (answers
 * between the 10th and 90th percentile of arrival at the reader) and the model-caller's peak heap
 * (its own {@code /metrics}, sampled); asserts that every call is answered exactly once. Run with
 * (all properties optional):
 *
 * <pre>./askflow test -pl system-tests -am -Daskflow.excludedGroups= -Dgroups=benchmark -Dtest=ModelConcurrencyBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dcalls.n=10000 -Dcalls.modelMs=2000 -Dcalls.heap=1g</pre>
 *
 * {@code -Dcalls.jfr=true} records the model-caller with Java Flight Recorder
 * (system-tests/target/model-concurrency/*.jfr).
 */
@Tag("benchmark")
class ModelConcurrencyBenchmark {
    private static final int N = Integer.getInteger("calls.n", 10_000);
    private static final Duration LATENCY = Duration.ofMillis(Long.getLong("calls.modelMs", 2_000));
    private static final String HEAP = System.getProperty("calls.heap", "1g");

    private static final Pattern PORT = Pattern.compile("serves /metrics, /healthz and /readyz on port (\\d+)");

    @Test
    void modelCallsInFlightOnOneInstance() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try (ScriptedModelServer model = ScriptedModelServer.start()) {
            model.respondWith(req -> Reply.text("slow answer").withDelay(LATENCY));
            Map<String, String> env = new HashMap<>();
            env.put(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), Infrastructure.shared().kafka().bootstrapServers());
            env.put(Settings.OPENAI_BASE_URL.name(), model.baseUrl());
            env.put(Settings.OPENAI_API_KEY.name(), "sk-bench-never-shown");
            env.put(Settings.DEFAULT_MODEL.name(), "scripted-model");
            env.put(Settings.MANAGEMENT_PORT.name(), "0");
            RunningPipeline.putPairs(env, System.getProperty("bench.env", ""));
            Config config = Config.of(env);
            int cap = config.get(Settings.MODEL_MAX_IN_FLIGHT);

            System.out.printf("%n%d model calls of %d ms, model-caller cap ASKFLOW_MODEL_MAX_IN_FLIGHT=%d, heap -Xmx%s%n", N,
                    LATENCY.toMillis(), cap, HEAP);
            serverAlone(config, model, cap).print("scripted server alone (openai-java from the test JVM, " + cap + " at once)");
            Map<String, Integer> errors = new ConcurrentHashMap<>();
            throughModelCaller(config, env, model, tag, errors).print("one model-caller process");
            assertThat(errors).as("calls answered with an error, by code").isEmpty();
        }
    }

    /**
     * {@code heap}: the peaks of heap in use (garbage included) and of live data after a collection;
     * null when not sampled. {@code cpu}: CPU milliseconds per call, by process.
     */
    record Load(int peakInFlight, double seconds, double sustainedPerSecond, long[] heap, Map<String, Double> cpu) {
        void print(String label) {
            System.out.printf("  %s: peak %d in flight, all answered in %.1f s (%.0f calls/s), sustained %.0f calls/s%s%n", label,
                    peakInFlight, seconds, N / seconds, sustainedPerSecond, heap == null ? ""
                            : String.format(", heap in use at most %.0f MiB, live after GC at most %.0f MiB", heap[0] / 1048576.0,
                                    heap[1] / 1048576.0));
            StringBuilder perCall = new StringBuilder();
            cpu.forEach((process, ms) -> perCall.append(perCall.isEmpty() ? "" : ", ").append(String.format("%s %.2f ms", process, ms)));
            double all = cpu.values().stream().mapToDouble(Double::doubleValue).sum();
            // What the measured CPU per call allows on this machine's cores, were nothing else running.
            System.out.printf("    CPU per call: %s; %.2f ms in all: at most %.0f calls/s on %d cores%n", perCall, all,
                    Runtime.getRuntime().availableProcessors() * 1000 / all, Runtime.getRuntime().availableProcessors());
        }
    }

    private static double perCallMs(long ticks) {
        return ticks * 1000.0 / ProcStat.TICKS / N;
    }

    private static Load serverAlone(Config config, ScriptedModelServer model, int concurrency) throws Exception {
        int before = model.requests().size();
        OpenAiClientPool clients = OpenAiClients.pool(config, ""); // as the model-caller spreads its calls
        Semaphore slots = new Semaphore(concurrency);
        List<Long> doneAt = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong failures = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<RuntimeException> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
        long t0 = System.nanoTime();
        long cpu0 = ProcStat.jvmCpuNanos();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < N; i++) {
                slots.acquire();
                int n = i;
                threads.submit(() -> {
                    try {
                        clients.next().chat().completions().create(ChatCompletionCreateParams.builder().model("scripted-model")
                                .addUserMessage("hello " + n).build());
                        doneAt.add(System.nanoTime());
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                        firstFailure.compareAndSet(null, e);
                    } finally {
                        slots.release();
                    }
                });
            }
        } finally {
            clients.close();
        }
        if (failures.get() > 0) {
            // Printed, not failed: this phase only shows how much the server takes; the model-caller's
            // phase is the one whose every call must be answered.
            System.out.printf("%n%d of the direct calls failed, the first with %s (caused by %s)%n", failures.get(),
                    firstFailure.get(), firstFailure.get().getCause());
        }
        double cpu = (ProcStat.jvmCpuNanos() - cpu0) / 1e6 / N;
        return new Load(peak(model, before), (System.nanoTime() - t0) / 1e9, sustained(doneAt), null,
                Map.of("test JVM (the server and the openai-java driver)", cpu));
    }

    /** @param errors filled with the error answers' codes and how many of each */
    private static Load throughModelCaller(Config config, Map<String, String> env, ScriptedModelServer model, String tag,
            Map<String, Integer> errors) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "model-concurrency"));
        Path log = dir.resolve("model-caller-" + tag + ".log");
        Path argfile = dir.resolve("classpath.args");
        Files.writeString(argfile, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + HEAP, "-XX:+ExitOnOutOfMemoryError"));
        if (Boolean.getBoolean("calls.jfr")) {
            // Where the model-caller's CPU goes: jfr print --events jdk.ExecutionSample <file>
            command.add("-XX:StartFlightRecording=settings=profile,filename=" + dir.resolve("model-caller-" + tag + ".jfr"));
        }
        command.addAll(List.of("@" + argfile, "io.askflow.model.Main"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process process = pb.start();
        try {
            int port = awaitRunning(process, log);
            int before = model.requests().size();
            long[] peakHeap = new long[2];
            Thread sampler = Thread.ofVirtual().start(() -> sampleHeap(port, peakHeap));
            Map<String, Integer> seen = new ConcurrentHashMap<>();
            List<Long> answeredAt = new ArrayList<>();
            long t0;
            long[] cpu0;
            long[] cpu1;
            // At the answers' end, fixed before anything is produced.
            try (KafkaConsumer<String, byte[]> reader = TopicReader.fromTheEnd(config, Topics.ANSWERS, "model-bench-reader-" + tag);
                    KafkaProducer<String, byte[]> producer = KafkaClients.producer(config, "model-bench-" + tag)) {
                java.util.Set<TopicPartition> partitions = reader.assignment();
                t0 = System.nanoTime();
                cpu0 = new long[] {ProcStat.jvmCpuNanos(), ProcStat.processTicks(process.pid()), ProcStat.brokerTicks()};
                for (int i = 0; i < N; i++) {
                    ModelCall call = ModelCall.builder().envelope(Envelope.builder().requestId(id(tag, i))
                                    .tenantId("default").conversationId("c-" + tag + "-" + i).userId("u")
                                    .deadline(Instant.now().plus(Duration.ofMinutes(10))).build())
                            .messages(List.of(ChatMessage.user("hello " + i))).build();
                    producer.send(new ProducerRecord<>(Topics.MODEL_CALLS.name(), call.conversationId(), Topics.MODEL_CALLS.encode(call)));
                }
                producer.flush();
                long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (seen.size() < N) {
                    assertThat(process.isAlive()).as("the model-caller is running (log: %s)", log).isTrue();
                    assertThat(System.nanoTime()).as("all %d answered within 5 minutes; %d were", N, seen.size()).isLessThan(deadline);
                    count(reader, tag, seen, answeredAt, errors);
                }
                cpu1 = new long[] {ProcStat.jvmCpuNanos(), ProcStat.processTicks(process.pid()), ProcStat.brokerTicks()};
                // Exactly once: read on to the end of what is committed now and count again.
                Map<TopicPartition, Long> end = reader.endOffsets(partitions);
                while (partitions.stream().anyMatch(tp -> reader.position(tp) < end.get(tp))) {
                    count(reader, tag, seen, answeredAt, errors);
                }
            } finally {
                sampler.interrupt();
            }
            assertThat(seen).hasSize(N);
            assertThat(seen.values()).as("answers per call").containsOnly(1);
            assertThat(process.isAlive()).as("the model-caller survived the load (log: %s)", log).isTrue();
            Map<String, Double> cpu = new java.util.LinkedHashMap<>();
            cpu.put("model-caller", perCallMs(cpu1[1] - cpu0[1]));
            cpu.put("test JVM (the server, producer, reader)", (cpu1[0] - cpu0[0]) / 1e6 / N);
            cpu.put("broker", perCallMs(cpu1[2] - cpu0[2]));
            return new Load(peak(model, before), (answeredAt.get(answeredAt.size() - 1) - t0) / 1e9, sustained(answeredAt),
                    peakHeap(peakHeap, sampler), cpu);
        } finally {
            process.destroy();
            process.waitFor();
        }
    }

    private static String id(String tag, int i) {
        return "bench-" + tag + "-" + i;
    }

    private static void count(KafkaConsumer<String, byte[]> reader, String tag, Map<String, Integer> seen, List<Long> answeredAt,
            Map<String, Integer> errors) {
        for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(100))) {
            Answer a = Topics.ANSWERS.decode(r.value());
            if (a.requestId().startsWith("bench-" + tag + "-")) {
                if (!a.isOk()) {
                    errors.merge(a.error().code().toString(), 1, Integer::sum);
                }
                seen.merge(a.requestId(), 1, Integer::sum);
                answeredAt.add(System.nanoTime());
            }
        }
    }

    private static int awaitRunning(Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            Matcher m = PORT.matcher(text);
            if (text.contains("model-caller is running") && m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("The model-caller did not start; its log:\n" + Files.readString(log, StandardCharsets.UTF_8));
    }

    private static long[] peakHeap(long[] peak, Thread sampler) throws InterruptedException {
        sampler.join();
        synchronized (peak) {
            return peak.clone();
        }
    }

    /**
     * The model-caller's heap as its /metrics reports it, every 200 ms: in use over all heap pools
     * (garbage included, so up to what the collector lets grow), and live data after the last collection.
     */
    private static void sampleHeap(int port, long[] peak) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                List<Scrape.Series> series = Scrape.of(port).series();
                double used = series.stream()
                        .filter(s -> s.name().equals("jvm_memory_used_bytes") && "heap".equals(s.labels().get("area")))
                        .mapToDouble(Scrape.Series::value).sum();
                double live = series.stream().filter(s -> s.name().equals("jvm_gc_live_data_size_bytes"))
                        .mapToDouble(Scrape.Series::value).sum();
                synchronized (peak) {
                    peak[0] = Math.max(peak[0], (long) used);
                    peak[1] = Math.max(peak[1], (long) live);
                }
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // A scrape that failed under load is a sample less, not a failed run.
            }
        }
    }

    /** Most requests that arrived at the server within one response time of each other. */
    private static int peak(ScriptedModelServer model, int before) {
        List<ReceivedRequest> all = model.requests();
        List<Instant> arrivals = all.subList(before, all.size()).stream().map(ReceivedRequest::arrival).sorted().toList();
        int peak = 0;
        for (int i = 0, j = 0; i < arrivals.size(); i++) {
            while (arrivals.get(i).isAfter(arrivals.get(j).plus(LATENCY))) {
                j++;
            }
            peak = Math.max(peak, i - j + 1);
        }
        return peak;
    }

    /** Completions per second between the 10th and the 90th percentile completion. */
    private static double sustained(List<Long> doneNanos) {
        List<Long> sorted = new ArrayList<>(doneNanos);
        sorted.sort(null);
        int lo = sorted.size() / 10;
        int hi = sorted.size() * 9 / 10;
        return (hi - lo) / ((sorted.get(hi) - sorted.get(lo)) / 1e9);
    }
}
