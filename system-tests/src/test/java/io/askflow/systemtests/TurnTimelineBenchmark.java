package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.embedded.EmbeddedKafka;
import io.askflow.embedded.PostgresEndpoint;
import io.askflow.kafka.TopicInitializer;
import io.askflow.launcher.Pipeline;
import io.askflow.localmodel.Reply;
import io.askflow.telemetry.Telemetry;
import io.askflow.testkit.OtlpReceiver;
import io.askflow.testkit.ReceivedSpan;
import io.askflow.testkit.ScriptedModelServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a no-tool turn's time goes, from the services' own spans: for each span of the turn's
 * trace, when it started after the HTTP request began and how long it ran (p50 over the measured
 * turns). The gap between one stage's span ending and the next one starting is the hop: the
 * commit of the transaction and the next consumer's fetch. Not part of the default suite; run with:
 *
 * <pre>./askflow test -pl system-tests -am -Daskflow.excludedGroups= -Dgroups=benchmark -Dtest=TurnTimelineBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * Spans are batched every 50 ms; the exporter's work is part of what is measured, as in production.
 */
@Tag("benchmark")
class TurnTimelineBenchmark {
    private static final int WARM_UP = 30;
    private static final int MEASURED = Integer.getInteger("timeline.turns", 200);

    @TempDir
    static Path dir;

    @Test
    void whereANoToolTurnSpendsItsTime() throws Exception {
        try (OtlpReceiver otlp = OtlpReceiver.start();
                EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
                ScriptedModelServer model = ScriptedModelServer.start()) {
            model.respondWith(req -> Reply.text("pong"));
            PostgresEndpoint db = Sql.ownDatabase("askflow_timeline_");
            Map<String, String> env = new HashMap<>();
            env.put(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers());
            env.put(Settings.DATABASE_URL.name(), db.jdbcUrl());
            env.put(Settings.DATABASE_USER.name(), db.user());
            env.put(Settings.DATABASE_PASSWORD.name(), db.password());
            env.put(Settings.TOPIC_PARTITIONS.name(), "4");
            env.put(Settings.HTTP_PORT.name(), "0");
            env.put(Settings.OPENAI_BASE_URL.name(), model.baseUrl());
            env.put(Settings.OPENAI_API_KEY.name(), "sk-timeline");
            env.put(Settings.DEFAULT_MODEL.name(), "scripted-model");
            env.put(Settings.OTEL_PROPERTIES.variable("exporter.otlp.endpoint"), otlp.endpoint());
            env.put(Settings.OTEL_PROPERTIES.variable("bsp.schedule.delay"), "50");
            Config config = Config.of(env);
            TopicInitializer.ensureTopics(config);
            try (Telemetry telemetry = Telemetry.create(config);
                    Pipeline pipeline = Pipeline.start(config, Clock.systemUTC(), telemetry)) {
                Http http = new Http(pipeline.httpPort(), null);
                List<String> measured = new ArrayList<>();
                for (int i = 0; i < WARM_UP + MEASURED; i++) {
                    String conversation = "timeline-" + UUID.randomUUID();
                    Http.Response r = http.postJson("/v1/prompts?wait=30",
                            "{\"conversationId\":\"" + conversation + "\",\"prompt\":\"ping\"}");
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                    if (i >= WARM_UP) {
                        measured.add(conversation);
                    }
                }
                Set<String> wanted = Set.copyOf(measured);
                List<ReceivedSpan> spans = otlp.await(all -> tracesWithAnswerBook(all, wanted) == wanted.size(),
                        Duration.ofSeconds(60));
                print(spans, wanted);
            }
        }
    }

    /** How many of the wanted conversations' traces have their HTTP root and the gateway's answer-book span. */
    private static long tracesWithAnswerBook(List<ReceivedSpan> all, Set<String> wanted) {
        return traces(all, wanted).values().stream()
                .filter(t -> t.stream().anyMatch(ReceivedSpan::isRoot)
                        && t.stream().anyMatch(s -> s.name().equals("process askflow.answers")))
                .count();
    }

    private static Map<String, List<ReceivedSpan>> traces(List<ReceivedSpan> all, Set<String> wanted) {
        Map<String, String> traceOf = new HashMap<>();
        for (ReceivedSpan s : all) {
            Object c = s.attributes().get("gen_ai.conversation.id");
            if (c == null) {
                c = s.attributes().get("messaging.kafka.message.key");
            }
            if (c != null && wanted.contains(c.toString())) {
                traceOf.put(s.traceId(), c.toString());
            }
        }
        return all.stream().filter(s -> traceOf.containsKey(s.traceId()))
                .collect(Collectors.groupingBy(ReceivedSpan::traceId));
    }

    private static void print(List<ReceivedSpan> all, Set<String> wanted) {
        Map<String, List<Double>> startMs = new LinkedHashMap<>();
        Map<String, List<Double>> durationMs = new LinkedHashMap<>();
        List<Double> total = new ArrayList<>();
        for (List<ReceivedSpan> trace : traces(all, wanted).values()) {
            ReceivedSpan root = trace.stream().filter(ReceivedSpan::isRoot).findFirst().orElseThrow();
            total.add((root.endNanos() - root.startNanos()) / 1e6);
            for (ReceivedSpan s : trace) {
                String key = s.serviceName() + " " + s.name();
                startMs.computeIfAbsent(key, k -> new ArrayList<>()).add((s.startNanos() - root.startNanos()) / 1e6);
                durationMs.computeIfAbsent(key, k -> new ArrayList<>()).add((s.endNanos() - s.startNanos()) / 1e6);
            }
        }
        StringBuilder out = new StringBuilder(String.format("%nno-tool turn timeline, %d turns after %d warm-up "
                + "(p50 ms after the HTTP request began; the request itself: p50 %.1f ms, p99 %.1f ms)%n",
                total.size(), WARM_UP, pct(total, 50), pct(total, 99)));
        out.append(String.format("%10s %10s %10s  %s%n", "start p50", "dur p50", "dur p99", "span (service, name; count)"));
        startMs.keySet().stream().sorted(Comparator.comparingDouble(k -> pct(startMs.get(k), 50))).forEach(k ->
                out.append(String.format("%10.1f %10.1f %10.1f  %s; %d%n", pct(startMs.get(k), 50),
                        pct(durationMs.get(k), 50), pct(durationMs.get(k), 99), k, startMs.get(k).size())));
        System.out.print(out);
        assertThat(total).hasSize(wanted.size());
    }

    private static double pct(List<Double> values, int p) {
        List<Double> sorted = values.stream().sorted().toList();
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, i));
    }
}
