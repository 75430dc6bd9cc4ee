package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.localmodel.Reply;
import io.askflow.message.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway's HTTP API: submit and wait, look up by id, coded errors, idempotent resubmission. */
class HttpApiTest {
    private static RunningPipeline p;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
    }

    @Test
    void submitAndWaitReturnsTheAnswerAndItCanBeLookedUpLater() throws Exception {
        p.model.respondWith(req -> Reply.text("hello over HTTP"));
        HttpResponse<String> r = post("/v1/prompts?wait=30", "{\"conversationId\":\"http-" + UUID.randomUUID()
                + "\",\"prompt\":\"hi\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode answer = Json.tree(r.body());
        assertThat(answer.path("status").asText()).isEqualTo("ok");
        assertThat(answer.path("text").asText()).isEqualTo("hello over HTTP");
        String requestId = answer.path("requestId").asText();
        assertThat(requestId).isNotBlank();

        HttpResponse<String> again = get("/v1/answers/" + requestId);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(Json.tree(again.body()).path("text").asText()).isEqualTo("hello over HTTP");
    }

    @Test
    void submitWithoutWaitIsAcceptedAndTheAnswerArrivesLater() throws Exception {
        p.model.respondWith(req -> Reply.text("later"));
        String id = "http-" + UUID.randomUUID();
        HttpResponse<String> r = post("/v1/prompts", "{\"requestId\":\"" + id + "\",\"prompt\":\"hi\"}");
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(Json.tree(r.body()).path("status").asText()).isEqualTo("accepted");
        assertThat(Json.tree(r.body()).path("answerUrl").asText()).isEqualTo("/v1/answers/" + id);

        HttpResponse<String> answer = get("/v1/answers/" + id + "?wait=30");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(Json.tree(answer.body()).path("text").asText()).isEqualTo("later");

        HttpResponse<String> dup = post("/v1/prompts", "{\"requestId\":\"" + id + "\",\"prompt\":\"hi\"}");
        assertThat(dup.statusCode()).isEqualTo(202);
        assertThat(Json.tree(dup.body()).path("status").asText()).isEqualTo("duplicate");
    }

    @Test
    void aCorrectedResubmissionGetsItsAnswerNotTheEarlierRejection() throws Exception {
        p.model.respondWith(req -> Reply.text("corrected"));
        String id = "fix-" + UUID.randomUUID();
        assertError(post("/v1/prompts", "{\"requestId\":\"" + id + "\",\"prompt\":\"\"}"), 400, "invalid_request");
        HttpResponse<String> r = post("/v1/prompts?wait=30", "{\"requestId\":\"" + id + "\",\"prompt\":\"now with a prompt\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.tree(r.body()).path("text").asText()).isEqualTo("corrected");
        assertThat(Json.tree(get("/v1/answers/" + id).body()).path("text").asText()).isEqualTo("corrected");
    }

    @Test
    void badRequestsGetCodedErrors() throws Exception {
        assertError(post("/v1/prompts", "{not json"), 400, "invalid_request");
        assertError(post("/v1/prompts", "{\"prompt\":\"\"}"), 400, "invalid_request");
        assertError(post("/v1/prompts", "{\"prompt\":\"" + "x".repeat(RunningPipeline.MAX_PROMPT_CHARS + 1) + "\"}"), 413, "too_large");
        assertError(post("/v1/prompts", "{\"prompt\":\"" + "x".repeat(RunningPipeline.MAX_REQUEST_BYTES + 10) + "\"}"), 413, "too_large");
        assertError(post("/v1/prompts?wait=soon", "{\"prompt\":\"hi\"}"), 400, "invalid_request");
        assertError(get("/v1/answers/never-submitted-" + UUID.randomUUID()), 404, "invalid_request");
        assertError(get("/v1/nothing-here"), 404, "invalid_request");
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    private static void assertError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode error = Json.tree(r.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + p.pipeline.httpPort() + path);
    }
}
