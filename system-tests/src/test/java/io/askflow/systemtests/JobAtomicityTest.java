package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.localmodel.Reply;
import io.askflow.message.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A batch job is created whole or not at all: the database fails while the gateway claims the
 * job's third turn (a trigger raises an error for it), and afterwards nothing of the job exists,
 * neither its rows nor any claimed turn the outbox could publish. The same job submitted again, with
 * the database healthy, finishes.
 */
class JobAtomicityTest {
    private static RunningPipeline p;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
    }

    @Test
    void aJobWhoseCreationFailsPartWayLeavesNothingBehindAndARetryFinishes() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8).replace('-', 'x');
        String poison = "FAIL-CLAIM-" + tag;
        Http acme = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String body = "Note " + i + " of " + tag + (i == 2 ? " " + poison : "");
            ids.add(acme.post("/v1/documents?title=note", "text/plain", body.getBytes(StandardCharsets.UTF_8)).json()
                    .path("id").asText());
        }
        p.model.respondWith(req -> Reply.text("summary of " + req.lastUserMessage().orElseThrow().text().length() + " chars"));
        String job = "{\"instruction\":\"Summarise " + tag + "\",\"documentIds\":" + Json.writeString(ids) + "}";

        String function = "askflow_test_fail_claim_" + tag;
        Sql.execute("CREATE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "RAISE EXCEPTION 'injected failure while claiming a job turn'; END $$");
        Sql.execute("CREATE TRIGGER " + function + " BEFORE UPDATE ON gateway_submissions FOR EACH ROW "
                + "WHEN (NEW.turn::text LIKE '%" + poison + "%') EXECUTE FUNCTION " + function + "()");
        Http.Response failed;
        try {
            failed = acme.postJson("/v1/jobs", job);
        } finally {
            Sql.execute("DROP TRIGGER " + function + " ON gateway_submissions");
            Sql.execute("DROP FUNCTION " + function + "()");
        }
        assertThat(failed.status()).as(failed.body()).isEqualTo(500);
        assertThat(Sql.count("SELECT count(*) FROM gateway_jobs WHERE instruction = ?", "Summarise " + tag))
                .as("no job row").isZero();
        assertThat(Sql.count("SELECT count(*) FROM gateway_job_items WHERE document_id = ANY (string_to_array(?, ','))",
                String.join(",", ids))).as("no job item").isZero();
        assertThat(Sql.count("SELECT count(*) FROM gateway_submissions WHERE turn::text LIKE ?", "%Summarise " + tag + "%"))
                .as("no claimed turn, so nothing for the outbox to publish").isZero();

        Http.Response submitted = acme.postJson("/v1/jobs", job);
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        String jobId = submitted.json().path("jobId").asText();
        JsonNode progress = awaitFinished(acme, jobId);
        assertThat(progress.path("total").asInt()).isEqualTo(4);
        assertThat(progress.path("done").asInt()).isEqualTo(4);
        assertThat(Sql.count("SELECT count(*) FROM gateway_jobs WHERE instruction = ?", "Summarise " + tag))
                .as("only the retry's job").isEqualTo(1);
        assertThat(p.model.requests().stream().filter(r -> r.lastUserText().contains("Summarise " + tag)))
                .as("the failed job's turns never reached the model").hasSize(4);
    }

    static JsonNode awaitFinished(Http http, String jobId) throws Exception {
        JsonNode progress;
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        do {
            Thread.sleep(100);
            progress = http.get("/v1/jobs/" + jobId).json();
        } while (!progress.path("status").asText().equals("finished") && System.nanoTime() < deadline);
        assertThat(progress.path("status").asText()).as(progress.toString()).isEqualTo("finished");
        return progress;
    }
}
