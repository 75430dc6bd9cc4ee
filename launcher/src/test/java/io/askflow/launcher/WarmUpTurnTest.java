package io.askflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.askflow.db.Database;
import io.askflow.db.Jdbc;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.TopicSpec;
import io.askflow.kafka.Topics;
import io.askflow.message.Answer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run on its own embedded broker and database warms up with one turn before it returns, and
 * leaves no trace of it: every askflow topic is empty from its start (the warm-up's records were
 * there and are deleted), every table is empty, and a reader of askflow.answers from the beginning
 * sees the user's first answer and nothing before it.
 */
class WarmUpTurnTest {
    @TempDir
    Path dataDir;

    @Test
    void theWarmUpTurnRanAndNothingOfItRemains() throws Exception {
        try (EmbeddedRun run = EmbeddedRun.start(Map.of("ASKFLOW_DATA_DIR", dataDir.toString()), false);
                Admin admin = KafkaClients.admin(run.config(), "warm-up-test");
                HikariDataSource db = Database.pool(run.config(), "warm-up-test")) {
            assertThat(run.usesLocalModel()).isTrue();
            for (TopicSpec<?> topic : Topics.all()) {
                Map<TopicPartition, Long> start = offsets(admin, topic, OffsetSpec.earliest());
                assertThat(start).as("%s starts where it ends", topic).isEqualTo(offsets(admin, topic, OffsetSpec.latest()));
            }
            assertThat(offsets(admin, Topics.ANSWERS, OffsetSpec.earliest()).values().stream().mapToLong(Long::longValue).sum())
                    .as("the warm-up's answer was written, then deleted").isPositive();
            for (String table : Jdbc.query(db, "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()"
                    + " AND tablename NOT LIKE 'flyway_history_%'", rs -> rs.getString(1))) {
                assertThat(Jdbc.queryFirst(db, "SELECT count(*) FROM " + table, rs -> rs.getLong(1)).orElseThrow())
                        .as(table).isZero();
            }

            assertThat(turnsCounted(run.managementPort())).as("the warm-up is counted on /metrics, as the README says")
                    .isEqualTo(1.0);

            Answer first;
            try (PromptClient client = new PromptClient(run.config())) {
                String id = client.ask("c-after-warm-up", WarmUpTurn.PROMPT);
                first = client.await(id, Duration.ofMinutes(2)).orElseThrow();
            }
            assertThat(first.isOk()).isTrue();
            assertThat(first.toolRounds()).isEqualTo(1);
            assertThat(answersFromTheBeginning(run, admin)).extracting(Answer::requestId).containsExactly(first.requestId());
        }
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, TopicSpec<?> topic, OffsetSpec spec) throws Exception {
        int partitions = admin.describeTopics(List.of(topic.name())).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(topic.name()).partitions().size();
        Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic.name(), p), spec);
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin.listOffsets(request).all()
                .get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> out = new java.util.HashMap<>();
        result.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /** As a backend's first kcat would: read_committed from the start of every partition to its end. */
    private static List<Answer> answersFromTheBeginning(EmbeddedRun run, Admin admin) throws Exception {
        Map<TopicPartition, Long> end = offsets(admin, Topics.ANSWERS, OffsetSpec.latest());
        List<Answer> answers = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> reader = KafkaClients.reader(run.config(), "warm-up-test-reader")) {
            reader.assign(end.keySet());
            reader.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (end.entrySet().stream().anyMatch(e -> reader.position(e.getKey()) < e.getValue())) {
                assertThat(System.nanoTime()).as("read askflow.answers to its end within 30 s").isLessThan(deadline);
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(100))) {
                    answers.add(Topics.ANSWERS.decode(r.value()));
                }
            }
        }
        return answers;
    }

    /** askflow_turns_total for ok answers, from the run's own /metrics. */
    private static double turnsCounted(int port) throws Exception {
        String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(l -> l.startsWith("askflow_turns_total{") && l.contains("status=\"ok\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
