package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.localmodel.ChatMessage;
import io.askflow.localmodel.Reply;
import io.askflow.testkit.ReceivedRequest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deleting a conversation while messages are on their way through it. The rule (README, "A deletion
 * takes effect at once"): what the gateway accepted before the deletion is erased wherever it is,
 * and still answered, so nobody waits forever: with the model's answer if its turn had started when
 * the deletion reached the context-builder (the answer is stored nowhere), with
 * {@code conversation_deleted} if it was still queued. The test lets the deletion reach the
 * context-builder while M1 is at the model and M2 queued behind it, so both cases happen.
 * What is accepted after the deletion starts the conversation afresh and is answered and kept.
 */
class DeletionRaceTest {
    private static RunningPipeline p;
    private static Http acme;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
        acme = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY);
    }

    @Test
    void messagesBeforeADeletionAreErasedButAnsweredAndMessagesAfterItStartAfresh() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String user = "race-" + tag;
        String conversation = "c-" + user;
        CountDownLatch release = new CountDownLatch(1);
        p.model.respondWith(req -> {
            String prompt = req.lastUserMessage().orElseThrow().text();
            if (prompt.startsWith("HOLD")) {
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Reply.text("held answer " + tag);
            }
            return Reply.text("answer to " + prompt);
        });
        assertThat(prompt(conversation, user, "old-" + tag, "before " + tag).path("text").asText())
                .isEqualTo("answer to before " + tag);

        // M1 is at the model (held there), M2 is queued behind it: both accepted before the deletion.
        CompletableFuture<JsonNode> m1 = promptAsync(conversation, user, "m1-" + tag, "HOLD " + tag);
        awaitModelSaw("HOLD " + tag);
        CompletableFuture<JsonNode> m2 = promptAsync(conversation, user, "m2-" + tag, "queued " + tag);
        awaitCount("SELECT count(*) FROM cb_conversation_turns WHERE request_id = ? AND status = 'queued'", "m2-" + tag);

        assertThat(acme.delete("/v1/conversations/" + conversation).status()).isEqualTo(202);
        // M3 is accepted after the deletion, while M1 is still at the model. M1's model call returns
        // once the context-builder has carried out the deletion (it answered the queued M2 then), so
        // M1's answer is one that arrives for a turn already erased.
        CompletableFuture<JsonNode> m3 = promptAsync(conversation, user, "m3-" + tag, "after " + tag);
        awaitCount("SELECT count(*) FROM cb_conversation_turns WHERE request_id = ? AND status = 'erased'", "m2-" + tag);
        release.countDown();

        JsonNode a1 = m1.get(60, TimeUnit.SECONDS);
        JsonNode a2 = m2.get(60, TimeUnit.SECONDS);
        JsonNode a3 = m3.get(60, TimeUnit.SECONDS);
        assertThat(a1.path("status").asText()).as(a1.toString()).isEqualTo("ok");
        assertThat(a1.path("text").asText()).isEqualTo("held answer " + tag);
        assertThat(a2.path("error").path("code").asText()).as(a2.toString()).isEqualTo("conversation_deleted");
        assertThat(a3.path("text").asText()).as(a3.toString()).isEqualTo("answer to after " + tag);

        // The conversation goes on from M3, with nothing of what came before the deletion.
        JsonNode a4 = prompt(conversation, user, "m4-" + tag, "later " + tag);
        assertThat(a4.path("text").asText()).isEqualTo("answer to later " + tag);
        ReceivedRequest m4Call = p.model.requests().stream().filter(r -> r.lastUserText().equals("later " + tag))
                .reduce((a, b) -> b).orElseThrow();
        List<String> history = m4Call.request().messages().stream().filter(m -> !m.hasRole("system"))
                .map(ChatMessage::text).toList();
        assertThat(history).containsExactly("after " + tag, "answer to after " + tag, "later " + tag);

        awaitCount("SELECT count(*) FROM cb_conversation_turns WHERE request_id = ? AND status = 'done'", "m4-" + tag);
        awaitCount("SELECT count(*) FROM gateway_answers WHERE request_id = ?", "m4-" + tag);
        assertThat(Sql.count("SELECT count(*) FROM cb_messages WHERE conversation_id = ? AND request_id NOT IN (?, ?)",
                conversation, "m3-" + tag, "m4-" + tag)).as("history of the erased part").isZero();
        assertThat(Sql.count("SELECT count(*) FROM cb_messages WHERE conversation_id = ?", conversation)).isEqualTo(4);
        assertThat(Sql.count("SELECT count(*) FROM gateway_answers WHERE request_id IN (?, ?, ?)", "old-" + tag, "m1-" + tag,
                "m2-" + tag)).as("answers of the erased part, also those that came after the deletion").isZero();
        assertThat(Sql.count("SELECT count(*) FROM gateway_answers WHERE request_id IN (?, ?)", "m3-" + tag, "m4-" + tag))
                .isEqualTo(2);
        assertThat(Sql.count("SELECT count(*) FROM cb_conversation_turns WHERE conversation_id = ? AND status IN "
                + "('queued', 'running')", conversation)).as("no turn left waiting").isZero();
        assertThat(Sql.count("SELECT count(*) FROM cb_summaries WHERE conversation_id = ?", conversation)).isZero();
    }

    private static void awaitModelSaw(String prompt) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (p.model.requests().stream().noneMatch(r -> r.lastUserText().equals(prompt)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(p.model.requests()).as("the model was called for " + prompt)
                .anyMatch(r -> r.lastUserText().equals(prompt));
    }

    private static JsonNode prompt(String conversation, String user, String requestId, String text) throws Exception {
        Http.Response r = acme.postJson("/v1/prompts?wait=60", "{\"requestId\":\"" + requestId + "\",\"conversationId\":\""
                + conversation + "\",\"userId\":\"" + user + "\",\"prompt\":\"" + text + "\"}");
        assertThat(r.status()).as(r.body()).isIn(200, 400);
        return r.json();
    }

    private static CompletableFuture<JsonNode> promptAsync(String conversation, String user, String requestId, String text) {
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(prompt(conversation, user, requestId, text));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    private static void awaitCount(String sql, String arg) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (Sql.count(sql, arg) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(Sql.count(sql, arg)).as(sql + " for " + arg).isPositive();
    }
}
