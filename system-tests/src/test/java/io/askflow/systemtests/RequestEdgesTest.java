package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.localmodel.ChatMessage;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.message.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The edges of a request, on the real services: whatever an accepted record contains, it ends with
 * one answer; whatever a caller sends, it cannot finish, take or block another's turn.
 */
class RequestEdgesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static RunningPipeline p;
    private static Http acme;
    private static Http globex;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
        acme = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY);
        globex = new Http(p.pipeline.httpPort(), RunningPipeline.GLOBEX_KEY);
    }

    private static String tag() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static void sendJson(String key, String json) {
        p.client.sendRaw(key, json.getBytes(StandardCharsets.UTF_8));
    }

    /** @param tenantId null for a refusal of a Kafka request that named no tenant */
    private static Answer answerOf(String requestId, String tenantId) {
        return p.client.awaitMatching(a -> requestId.equals(a.requestId()) && java.util.Objects.equals(tenantId, a.tenantId()), WAIT)
                .orElseThrow(() -> new AssertionError("no answer for " + tenantId + "/" + requestId));
    }

    /** Polls for a positive signal: the model received the call whose prompt is {@code prompt}. */
    private static void awaitModelCall(String prompt) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (p.model.requests().stream().noneMatch(r -> prompt.equals(r.lastUserText()))) {
            assertThat(System.nanoTime()).as("model call for " + prompt).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void callerTextPostgresCannotStoreIsRefusedNamingTheField() throws Exception {
        String t = tag();
        sendJson("nul-" + t, "{\"requestId\":\"nul-" + t + "\",\"conversationId\":\"nul-" + t + "\",\"prompt\":\"a\\u0000b\"}");
        sendJson("meta-" + t, "{\"requestId\":\"meta-" + t + "\",\"prompt\":\"hi\",\"metadata\":{\"k\":\"\\u0000\"}}");
        Answer nul = answerOf("nul-" + t, null);
        assertThat(nul.error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(nul.error().message()).contains("prompt contains U+0000");
        assertThat(answerOf("meta-" + t, null).error().message()).contains("metadata.k contains U+0000");

        Http.Response http = acme.postJson("/v1/prompts", "{\"prompt\":\"x\\u0000\"}");
        assertThat(http.status()).as(http.body()).isEqualTo(400);
        assertThat(http.json().path("error").path("message").asText()).contains("prompt contains U+0000");
    }

    @Test
    void wrongJsonTypesAreRefusedNotCoerced() throws Exception {
        String t = tag();
        sendJson("num-" + t, "{\"requestId\":\"num-" + t + "\",\"prompt\":42}");
        sendJson("obj-" + t, "{\"requestId\":\"obj-" + t + "\",\"prompt\":\"hi\",\"userId\":{\"a\":1}}");
        sendJson("meta-" + t, "{\"requestId\":\"meta-" + t + "\",\"prompt\":\"hi\",\"metadata\":{\"n\":1}}");
        sendJson("dl-" + t, "{\"requestId\":\"dl-" + t + "\",\"prompt\":\"hi\",\"deadline\":4102444800}");
        assertThat(answerOf("num-" + t, null).error().message()).isEqualTo("prompt must be a string");
        assertThat(answerOf("obj-" + t, null).error().message()).isEqualTo("userId must be a string");
        assertThat(answerOf("meta-" + t, null).error().message()).isEqualTo("metadata.n must be a string");
        assertThat(answerOf("dl-" + t, null).error().message()).isEqualTo("deadline must be an ISO-8601 instant string");
        for (String id : new String[] {"num-", "obj-", "meta-", "dl-"}) {
            assertThat(p.client.answers()).filteredOn(a -> (id + t).equals(a.requestId()))
                    .allSatisfy(a -> assertThat(a.error().code()).isEqualTo(ErrorCode.INVALID_REQUEST));
        }
        Http.Response http = acme.postJson("/v1/prompts", "{\"prompt\":true}");
        assertThat(http.status()).isEqualTo(400);
        assertThat(http.json().path("error").path("code").asText()).isEqualTo("invalid_request");
    }

    @Test
    void nulInAModelAnswerAndAToolArgumentStillEndsTheTurnAndTheConversationGoesOn() throws Exception {
        String c = "nulconv-" + tag();
        p.model.respondWith(req -> {
            ChatMessage last = req.lastMessage().orElseThrow();
            if (last.text().contains("second")) {
                return Reply.text("second answer");
            }
            return last.hasRole("tool") ? Reply.text("first\u0000answer")
                    : Reply.toolCall("remember", "{\"fact\":\"likes \\u0000 nulls " + c + "\"}");
        });
        Http.Response first = acme.postJson("/v1/prompts?wait=30",
                "{\"conversationId\":\"" + c + "\",\"userId\":\"u-" + c + "\",\"prompt\":\"first\"}");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.json().path("text").asText()).isEqualTo("first\uFFFDanswer");
        Http.Response second = acme.postJson("/v1/prompts?wait=30",
                "{\"conversationId\":\"" + c + "\",\"userId\":\"u-" + c + "\",\"prompt\":\"second " + c + "\"}");
        assertThat(second.status()).as(second.body()).isEqualTo(200);
        assertThat(second.json().path("text").asText()).isEqualTo("second answer");
        // The first answer was stored in history (with U+FFFD for the NUL), and so was the remembered fact.
        assertThat(p.model.requests()).filteredOn(r -> r.lastUserText().equals("second " + c)).last()
                .satisfies(r -> assertThat(r.request().messages()).anySatisfy(m -> assertThat(m.text()).isEqualTo("first\uFFFDanswer")));
        assertThat(acme.get("/v1/users/u-" + c + "/memories").body()).contains("likes \uFFFD nulls " + c);
    }

    @Test
    void rejectionsNeverFinishAQueuedOrRunningTurn() throws Exception {
        String c = "stall-" + tag();
        CountDownLatch release = new CountDownLatch(1);
        p.model.respondWith(req -> {
            String last = req.lastMessage().orElseThrow().text();
            if (last.equals("one " + c)) {
                try {
                    release.await(50, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Reply.text("answer one " + c);
            }
            return Reply.text("answer two " + c);
        });
        sendJson(c, "{\"requestId\":\"" + c + "-1\",\"tenantId\":\"acme\",\"conversationId\":\"" + c + "\",\"prompt\":\"one " + c + "\"}");
        awaitModelCall("one " + c);
        sendJson(c, "{\"requestId\":\"" + c + "-2\",\"tenantId\":\"acme\",\"conversationId\":\"" + c + "\",\"prompt\":\"two " + c + "\"}");
        // Turn 1 runs (its model call is held), turn 2 is queued behind it. Now every kind of refusal
        // under their ids: over HTTP naming acme in the body, and from a producer naming acme.
        Http.Response forged = globex.postJson("/v1/prompts", "{\"requestId\":\"" + c + "-1\",\"tenantId\":\"acme\",\"conversationId\":\""
                + c + "\",\"prompt\":42}");
        assertThat(forged.status()).isEqualTo(400);
        sendJson(c, "{\"requestId\":\"" + c + "-1\",\"tenantId\":\"acme\",\"conversationId\":\"" + c + "\",\"prompt\":42}");
        sendJson(c, "{\"requestId\":\"" + c + "-2\",\"tenantId\":\"acme\",\"conversationId\":\"" + c + "\"}");
        sendJson(c, "{\"requestId\":\"" + c + "-2\",\"tenantId\":\"acme\",\"conversationId\":\"" + c + "\",\"prompt\":\"changed\"}");
        Answer globexRefusal = answerOf(c + "-1", "globex");
        assertThat(globexRefusal.conversationId()).isEqualTo(c); // globex's own conversation of that name, not acme's
        assertThat(p.client.awaitMatching(a -> (c + "-2").equals(a.requestId()) && a.error() != null
                && a.error().code() == ErrorCode.DUPLICATE_REQUEST, WAIT)).isPresent();
        assertThat(p.client.awaitMatching(a -> (c + "-2").equals(a.requestId()) && a.error() != null
                && a.error().code() == ErrorCode.INVALID_REQUEST, WAIT)).isPresent();
        assertThat(p.client.awaitMatching(a -> (c + "-1").equals(a.requestId()) && "acme".equals(a.tenantId())
                && a.error() != null && a.error().code() == ErrorCode.INVALID_REQUEST, WAIT)).isPresent();
        release.countDown();

        Answer one = p.client.awaitMatching(a -> (c + "-1").equals(a.requestId()) && a.isOk(), WAIT).orElseThrow();
        Answer two = p.client.awaitMatching(a -> (c + "-2").equals(a.requestId()) && a.isOk(), WAIT).orElseThrow();
        assertThat(one.text()).isEqualTo("answer one " + c);
        assertThat(two.text()).isEqualTo("answer two " + c);
        // Turn 2 ran only after turn 1 had finished: its model call saw turn 1's answer.
        assertThat(p.model.requests()).filteredOn(r -> r.lastUserText().equals("two " + c)).singleElement()
                .satisfies(r -> assertThat(r.body()).contains("answer one " + c));
        // The HTTP lookup of acme's accepted request shows its answer, not a refusal of a reused id.
        // (The gateway stores answers from its own consumer group, maybe after this client read it: wait.)
        assertThat(acme.get("/v1/answers/" + c + "-2?wait=30").json().path("text").asText()).isEqualTo("answer two " + c);
    }

    @Test
    void requestIdsArePerTenantAndAReusedIdWithOtherContentIsRefusedWithACode() throws Exception {
        String id = "shared-" + tag();
        p.model.respondWith(req -> Reply.text("said: " + req.lastMessage().orElseThrow().text()));
        Http.Response a = acme.postJson("/v1/prompts?wait=30", "{\"requestId\":\"" + id + "\",\"prompt\":\"from acme\"}");
        Http.Response g = globex.postJson("/v1/prompts?wait=30", "{\"requestId\":\"" + id + "\",\"prompt\":\"from globex\"}");
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(g.status()).as(g.body()).isEqualTo(200);
        assertThat(a.json().path("text").asText()).isEqualTo("said: from acme");
        assertThat(g.json().path("text").asText()).isEqualTo("said: from globex");
        assertThat(acme.get("/v1/answers/" + id).json().path("text").asText()).isEqualTo("said: from acme");
        assertThat(globex.get("/v1/answers/" + id).json().path("text").asText()).isEqualTo("said: from globex");

        Http.Response same = acme.postJson("/v1/prompts", "{\"requestId\":\"" + id + "\",\"prompt\":\"from acme\"}");
        assertThat(same.status()).isEqualTo(202);
        assertThat(same.json().path("status").asText()).isEqualTo("duplicate");
        Http.Response other = acme.postJson("/v1/prompts", "{\"requestId\":\"" + id + "\",\"prompt\":\"something else\"}");
        assertThat(other.status()).as(other.body()).isEqualTo(409);
        assertThat(other.json().path("error").path("code").asText()).isEqualTo("duplicate_request");
        assertThat(acme.get("/v1/answers/" + id).json().path("text").asText()).isEqualTo("said: from acme");

        // The same over Kafka: the duplicate is answered with the code, the original keeps its one answer.
        String k = "kdup-" + tag();
        sendJson(k, "{\"requestId\":\"" + k + "\",\"conversationId\":\"" + k + "\",\"prompt\":\"original\"}");
        assertThat(answerOf(k, "default").text()).isEqualTo("said: original");
        sendJson(k, "{\"requestId\":\"" + k + "\",\"conversationId\":\"" + k + "\",\"prompt\":\"original\"}");
        sendJson(k, "{\"requestId\":\"" + k + "\",\"conversationId\":\"" + k + "\",\"prompt\":\"changed\"}");
        assertThat(p.client.awaitMatching(x -> k.equals(x.requestId()) && !x.isOk(), WAIT).orElseThrow().error().code())
                .isEqualTo(ErrorCode.DUPLICATE_REQUEST);
        assertThat(p.client.answers()).filteredOn(x -> k.equals(x.requestId())).hasSize(2)
                .filteredOn(Answer::isOk).hasSize(1);
    }
}
