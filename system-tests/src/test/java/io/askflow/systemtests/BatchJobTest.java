package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Topics;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.message.JobEvent;
import io.askflow.message.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 3's acceptance for batch jobs: 200 documents, structured output, results and progress. */
class BatchJobTest {
    private static final int DOCUMENTS = 200;
    private static final int FAILING = 10;
    private static RunningPipeline p;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
    }

    @Test
    void aJobOf200DocumentsEndsWith200ResultsAndCorrectProgress() throws Exception {
        long t0 = System.nanoTime();
        Http acme = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<String>> uploads = new ArrayList<>();
            for (int i = 0; i < DOCUMENTS; i++) {
                String body = "Invoice " + i + " of " + tag + ". Amount: " + (100 + i) + " EUR."
                        + (i < FAILING ? " FAIL-ME" : "");
                uploads.add(pool.submit(() -> acme.post("/v1/documents?title=invoice", "text/plain",
                        body.getBytes(StandardCharsets.UTF_8)).json().path("id").asText()));
            }
            for (Future<String> f : uploads) {
                ids.add(f.get());
            }
        }
        long uploaded = System.nanoTime();
        p.model.respondWith(req -> {
            String text = req.lastUserMessage().orElseThrow().text();
            if (text.contains("FAIL-ME")) {
                return Reply.error(400, "scripted failure");
            }
            String amount = text.replaceAll("(?s).*Amount: (\\d+) EUR.*", "$1");
            return Reply.text("{\"amount\":" + amount + ",\"currency\":\"EUR\"}");
        });
        int before = p.model.requests().size();
        String schema = "{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"number\"},\"currency\":{\"type\":\"string\"}},"
                + "\"required\":[\"amount\",\"currency\"],\"additionalProperties\":false}";
        Http.Response submitted = acme.postJson("/v1/jobs", "{\"instruction\":\"Extract the amount and currency.\","
                + "\"documentIds\":" + Json.writeString(ids) + ",\"responseFormat\":{\"name\":\"invoice\",\"schema\":" + schema + "}}");
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        String jobId = submitted.json().path("jobId").asText();

        JsonNode progress;
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        do {
            Thread.sleep(200);
            progress = acme.get("/v1/jobs/" + jobId).json();
        } while (!progress.path("status").asText().equals("finished") && System.nanoTime() < deadline);
        long finished = System.nanoTime();
        assertThat(progress.path("status").asText()).as(progress.toString()).isEqualTo("finished");
        assertThat(progress.path("total").asInt()).isEqualTo(DOCUMENTS);
        assertThat(progress.path("done").asInt()).isEqualTo(DOCUMENTS - FAILING);
        assertThat(progress.path("failed").asInt()).isEqualTo(FAILING);
        assertThat(progress.path("pending").asInt()).isZero();

        JsonNode results = acme.get("/v1/jobs/" + jobId + "/results").json().path("results");
        assertThat(results.size()).isEqualTo(DOCUMENTS);
        int ok = 0;
        for (JsonNode r : results) {
            if (r.path("status").asText().equals("done")) {
                JsonNode extracted = Json.tree(r.path("answer").path("text").asText());
                assertThat(extracted.path("currency").asText()).isEqualTo("EUR");
                assertThat(r.path("answer").path("jobId").asText()).isEqualTo(jobId);
                ok++;
            }
        }
        assertThat(ok).isEqualTo(DOCUMENTS - FAILING);
        assertThat(p.model.requests().subList(before, p.model.requests().size()))
                .allSatisfy(r -> assertThat(r.request().responseFormat().path("json_schema").path("name").asText())
                        .isEqualTo("invoice"));
        // Other tenants cannot see the job.
        assertThat(new Http(p.pipeline.httpPort(), RunningPipeline.GLOBEX_KEY).get("/v1/jobs/" + jobId).status()).isEqualTo(404);

        Map<String, Answer> answers = new ConcurrentHashMap<>();
        List<JobEvent> events = new ArrayList<>();
        readTopics(jobId, answers, events);
        assertThat(answers).hasSize(DOCUMENTS);
        assertThat(events).hasSize(DOCUMENTS + 1);
        JobEvent last = events.stream().max(java.util.Comparator.comparingInt(e -> e.done() + e.failed())).orElseThrow();
        assertThat(last.done()).isEqualTo(DOCUMENTS - FAILING);
        assertThat(last.failed()).isEqualTo(FAILING);
        assertThat(last.status()).isEqualTo("finished");
        System.out.printf("BatchJobTest: %d documents uploaded in %.1f s; job finished %.1f s after submission%n",
                DOCUMENTS, (uploaded - t0) / 1e9, (finished - uploaded) / 1e9);
    }

    /** Another tenant's document reads as a missing one: either refuses the whole job, naming it. */
    @Test
    void aJobNamingAMissingDocumentOrAnotherTenantsIsRefusedNamingIt() throws Exception {
        Http acme = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY);
        Http globex = new Http(p.pipeline.httpPort(), RunningPipeline.GLOBEX_KEY);
        String mine = acme.post("/v1/documents?title=mine", "text/plain", "Mine.".getBytes(StandardCharsets.UTF_8))
                .json().path("id").asText();
        String theirs = globex.post("/v1/documents?title=theirs", "text/plain", "Theirs.".getBytes(StandardCharsets.UTF_8))
                .json().path("id").asText();
        for (String absent : List.of(theirs, "doc-that-does-not-exist")) {
            Http.Response refused = acme.postJson("/v1/jobs", "{\"instruction\":\"Summarise.\",\"documentIds\":"
                    + Json.writeString(List.of(mine, absent, mine)) + "}");
            assertThat(refused.status()).as(refused.body()).isEqualTo(400);
            assertThat(refused.body()).contains("Document " + absent + " was not found");
        }
    }

    /** Every answer with the job id on askflow.answers, and every event of the job on askflow.job-events. */
    private static void readTopics(String jobId, Map<String, Answer> answers, List<JobEvent> events) {
        try (KafkaConsumer<String, byte[]> c = KafkaClients.reader(p.config, "batch-job-test")) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : List.of(Topics.ANSWERS.name(), Topics.JOB_EVENTS.name())) {
                c.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while ((answers.size() < DOCUMENTS || events.size() < DOCUMENTS + 1) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(Topics.ANSWERS.name())) {
                        Answer a = Json.read(r.value(), Answer.class);
                        if (jobId.equals(a.jobId())) {
                            answers.put(a.requestId(), a);
                        }
                    } else {
                        JobEvent e = Json.read(r.value(), JobEvent.class);
                        if (jobId.equals(e.jobId())) {
                            events.add(e);
                        }
                    }
                }
            }
        }
    }
}
