package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Topics;
import io.askflow.localmodel.ChatMessage;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.message.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12's metrics acceptance: a turn with a tool round through the four services moves the
 * counters of /metrics (before and after, not mere presence), and the Grafana dashboard names only
 * metrics the registry exports.
 */
class MetricsTest {
    static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "dashboards", "askflow.json");
    /** A metric name in a PromQL expression: askflow's own and those of the binders the dashboard uses. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:askflow|kafka|hikaricp|jvm|process|system)_[a-z0-9_]+)");
    private static RunningPipeline p;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
    }

    @Test
    void aTurnWithAToolRoundMovesTheCounters() throws Exception {
        int port = p.management.port();
        Scrape before = Scrape.of(port);
        Answer answer = turnWithAToolRound();
        assertThat(answer.isOk()).as("answer %s", answer).isTrue();
        assertThat(answer.toolRounds()).isEqualTo(1);

        List<Move> moves = new ArrayList<>(List.of(
                new Move(1, "askflow_turns_total", "status", "ok", "code", "none"),
                new Move(1, "askflow_turn_duration_seconds_count", "status", "ok"),
                // Two model calls: the first asks for the tool, the second answers.
                new Move(2, "askflow_model_calls_seconds_count", "model", "scripted-model", "outcome", "ok"),
                new Move(1, "askflow_tool_calls_seconds_count", "tool", "current_time", "outcome", "ok"),
                new Move(1, "askflow_model_tokens_total", "model", "scripted-model", "tenant", "default", "type", "input"),
                new Move(1, "askflow_model_tokens_total", "model", "scripted-model", "tenant", "default", "type", "output"),
                new Move(2, "askflow_stage_duration_seconds_count", "topic", Topics.MODEL_CALLS.name(), "outcome", "ok"),
                // Two groups read the answers: the context-builder's and the gateway's answer feed.
                new Move(2, "askflow_stage_duration_seconds_count", "topic", Topics.ANSWERS.name(), "outcome", "ok"),
                new Move(1, "askflow_transactions_total", "group", "askflow-model-caller", "result", "committed"),
                new Move(1, "askflow_commit_duration_seconds_count", "group", "askflow-model-caller"),
                // The model-caller finished two records (the two model calls), in one transaction or two.
                new Move(2, "askflow_commit_records_sum", "group", "askflow-model-caller")));
        for (String topic : List.of(Topics.REQUESTS.name(), Topics.TURNS.name(), Topics.TOOL_CALLS.name())) {
            moves.add(new Move(1, "askflow_stage_duration_seconds_count", "topic", topic, "outcome", "ok"));
        }
        Scrape after = awaitScrape(port, s -> moves.stream().allMatch(m -> m.moved(before, s)));
        moves.forEach(m -> m.assertMoved(before, after));
        // The pipeline's prices file prices scripted-model: the calls' cost is counted too.
        String[] cost = {"model", "scripted-model", "tenant", "default"};
        assertThat(after.sum("askflow_model_cost_usd_total", cost) - before.sum("askflow_model_cost_usd_total", cost)).isPositive();
        assertThat(after.has("askflow_model_tokens_total", "type", "cached_input")).isTrue();
        assertThat(after.has("askflow_runner_in_flight", "group", "askflow-tool-runner")).isTrue();
        assertThat(after.has("askflow_rate_gate_pauses_total")).isTrue();
        // The binders: consumer lag and client metrics, the pools, the JVM.
        assertThat(after.has("kafka_consumer_fetch_manager_records_lag_max")).isTrue();
        assertThat(after.sum("kafka_producer_record_send_total")).isPositive();
        assertThat(after.has("hikaricp_connections_active", "pool", "askflow-gateway")).isTrue();
        assertThat(after.sum("jvm_memory_used_bytes")).isPositive();
    }

    @Test
    void anUndecodableRecordCountsAsADeadLetter() throws Exception {
        int port = p.management.port();
        Scrape before = Scrape.of(port);
        poisonToolCalls();
        List<Move> moves = List.of(new Move(1, "askflow_dead_letters_total", "topic", Topics.TOOL_CALLS.name()),
                new Move(1, "askflow_stage_duration_seconds_count", "topic", Topics.TOOL_CALLS.name(), "outcome", "dead_letter"));
        Scrape after = awaitScrape(port, s -> moves.stream().allMatch(m -> m.moved(before, s)));
        moves.forEach(m -> m.assertMoved(before, after));
    }

    @Test
    void theRunningPipelineIsLiveAndReady() throws Exception {
        int port = p.management.port();
        var health = Scrape.get(port, "/healthz");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        // The model endpoint's check runs in the background: the first probe may come before its result.
        var ready = Scrape.get(port, "/readyz");
        for (long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                ready.statusCode() != 200 && System.nanoTime() < deadline; ready = Scrape.get(port, "/readyz")) {
            Thread.sleep(100);
        }
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(Json.tree(ready.body()).path("status").asText()).isEqualTo("ok");
    }

    /** The test that keeps the dashboard honest: every metric a panel queries is exported, after a turn and a dead letter. */
    @Test
    void theDashboardQueriesOnlyExportedMetrics() throws Exception {
        int port = p.management.port();
        turnWithAToolRound();
        Scrape withDeadLetter = Scrape.of(port);
        poisonToolCalls();
        awaitScrape(port, s -> s.sum("askflow_dead_letters_total") > withDeadLetter.sum("askflow_dead_letters_total"));
        Set<String> exported = Scrape.of(port).names();

        Set<String> queried = dashboardMetrics();
        assertThat(queried).as("the dashboard queries askflow's metrics").contains("askflow_turns_total",
                "askflow_model_tokens_total", "askflow_tool_calls_seconds_count", "kafka_consumer_fetch_manager_records_lag_max");
        assertThat(exported).as("metrics exported by /metrics").containsAll(queried);
    }

    static Set<String> dashboardMetrics() throws Exception {
        JsonNode dashboard = Json.tree(Files.readAllBytes(DASHBOARD));
        List<String> exprs = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> exprs.add(e.asText()));
        assertThat(exprs).as("panel queries in %s", DASHBOARD).isNotEmpty();
        Set<String> names = new TreeSet<>();
        for (String expr : exprs) {
            Matcher m = METRIC.matcher(expr);
            int found = 0;
            while (m.find()) {
                names.add(m.group(1));
                found++;
            }
            assertThat(found).as("metrics named in %s", expr).isPositive();
        }
        return names;
    }

    private static Answer turnWithAToolRound() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        p.model.respondWith(req -> {
            ChatMessage last = req.lastMessage().orElseThrow();
            return last.hasRole("tool") ? Reply.text("It is " + last.text() + " (" + tag + ")")
                    : Reply.toolCall("current_time", "{}");
        });
        String request = p.client.ask("metrics-" + tag, "What time is it? " + tag);
        return p.client.await(request, Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError("no answer"));
    }

    private static void poisonToolCalls() {
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(p.config, "metrics-poisoner")) {
            producer.send(new ProducerRecord<>(Topics.TOOL_CALLS.name(), "metrics-poison", "not json".getBytes()));
            producer.flush();
        }
    }

    /** Scrapes until {@code moved} holds: the gateway counts an answer when its answer feed reads it, after the client has. */
    private static Scrape awaitScrape(int port, java.util.function.Predicate<Scrape> moved) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Scrape s = Scrape.of(port);
            if (moved.test(s)) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the metrics did not move within 30 s");
            }
            Thread.sleep(50);
        }
    }

    /** A series that must have grown by at least {@code by} between two scrapes. */
    private record Move(int by, String name, String... labels) {
        boolean moved(Scrape before, Scrape after) {
            return after.sum(name, labels) - before.sum(name, labels) >= by;
        }

        void assertMoved(Scrape before, Scrape after) {
            double was = before.sum(name, labels);
            double is = after.sum(name, labels);
            assertThat(is - was).as("%s%s moved from %s to %s", name, List.of(labels), was, is).isGreaterThanOrEqualTo(by);
        }
    }
}
