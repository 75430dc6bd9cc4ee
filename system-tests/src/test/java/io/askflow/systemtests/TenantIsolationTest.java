package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.localmodel.ChatMessage;
import io.askflow.localmodel.Reply;
import io.askflow.testkit.ReceivedRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cross-tenant suite: globex tries every way in to acme's conversations, memories and
 * documents that a caller controls (guessed ids, forged headers, a tenantId in the body, crafted
 * tool arguments) and gets nothing.
 */
class TenantIsolationTest {
    private static RunningPipeline p;
    private static Http acme;
    private static Http globex;
    private static Http keyless;
    private static final String TAG = UUID.randomUUID().toString().substring(0, 8);
    private static final String SECRET = "zanzibarquokka" + TAG.replaceAll("[0-9-]", "");

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
        acme = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY);
        globex = new Http(p.pipeline.httpPort(), RunningPipeline.GLOBEX_KEY);
        keyless = new Http(p.pipeline.httpPort(), null);
    }

    /** Acme's data: a document, a memory of user "u1", and a conversation. */
    private record AcmeData(String documentId, String memoryId, String requestId, String conversationId) {
    }

    private static AcmeData acmeData() throws Exception {
        Http.Response doc = acme.post("/v1/documents?title=Acme+plan&userId=u1", "text/plain",
                ("The secret launch codename is " + SECRET + ".").getBytes(StandardCharsets.UTF_8));
        assertThat(doc.status()).as(doc.body()).isEqualTo(201);
        p.model.respondWith(req -> req.lastMessage().orElseThrow().hasRole("tool") ? Reply.text("Noted " + SECRET)
                : Reply.toolCall("remember", "{\"fact\":\"Acme user likes " + SECRET + "\"}"));
        String conversation = "acme-conv-" + TAG;
        Http.Response answer = acme.postJson("/v1/prompts?wait=30",
                "{\"conversationId\":\"" + conversation + "\",\"userId\":\"u1\",\"prompt\":\"remember " + SECRET + "\"}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonNode memories = acme.get("/v1/users/u1/memories").json().path("memories");
        String memoryId = null;
        for (JsonNode m : memories) {
            if (m.path("text").asText().contains(SECRET)) {
                memoryId = m.path("id").asText();
            }
        }
        assertThat(memoryId).isNotNull();
        return new AcmeData(doc.json().path("id").asText(), memoryId, answer.json().path("requestId").asText(), conversation);
    }

    @Test
    void noHttpPathLeadsIntoAnotherTenantsData() throws Exception {
        AcmeData a = acmeData();
        for (Http other : List.of(globex, keyless)) {
            // Guessed (here: known) ids.
            assertThat(other.get("/v1/documents/" + a.documentId()).status()).isEqualTo(404);
            assertThat(other.delete("/v1/documents/" + a.documentId()).status()).isEqualTo(404);
            assertThat(other.get("/v1/documents").body()).doesNotContain(a.documentId()).doesNotContain(SECRET);
            assertThat(other.get("/v1/answers/" + a.requestId()).status()).isEqualTo(404);
            assertThat(other.get("/v1/users/u1/memories").body()).doesNotContain(SECRET).doesNotContain(a.memoryId());
            assertThat(other.delete("/v1/users/u1/memories/" + a.memoryId()).status()).isEqualTo(404);
            // Forged tenant header.
            assertThat(other.get("/v1/documents/" + a.documentId(), "X-Tenant-Id", "acme").status()).isEqualTo(404);
            assertThat(other.get("/v1/answers/" + a.requestId(), "X-Tenant-Id", "acme").status()).isEqualTo(404);
        }
        // tenantId in the body differing from the key's tenant.
        Http.Response forged = globex.postJson("/v1/prompts", "{\"tenantId\":\"acme\",\"conversationId\":\""
                + a.conversationId() + "\",\"prompt\":\"what did I say?\"}");
        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.json().path("error").path("code").asText()).isEqualTo("unauthorized");
        // Acme's request id used by globex: request ids are per tenant, so it is globex's own new
        // request, accepted without a word about acme's.
        Http.Response reused = globex.postJson("/v1/prompts", "{\"requestId\":\"" + a.requestId() + "\",\"prompt\":\"hi\"}");
        assertThat(reused.status()).isEqualTo(202);
        assertThat(reused.json().path("status").asText()).isEqualTo("accepted");
        assertThat(reused.body()).doesNotContain(a.conversationId());
        // Wrong keys never fall back to the anonymous tenant.
        assertThat(new Http(p.pipeline.httpPort(), "ak-wrong").get("/v1/documents").status()).isEqualTo(401);
        // Acme still has everything.
        assertThat(acme.get("/v1/documents/" + a.documentId()).body()).contains(SECRET);
        assertThat(acme.get("/v1/answers/" + a.requestId()).status()).isEqualTo(200);
        assertThat(acme.get("/v1/users/u1/memories").body()).contains(a.memoryId());
    }

    @Test
    void noToolArgumentOrConversationIdLeadsIntoAnotherTenantsData() throws Exception {
        AcmeData a = acmeData();
        // Globex's model asks for acme's document by its words, tries to forget acme's memory by id,
        // and talks in a conversation with acme's conversation id.
        p.model.respondWith(req -> {
            ChatMessage last = req.lastMessage().orElseThrow();
            if (last.hasRole("tool")) {
                return Reply.text("tools said: " + String.join(" | ", req.messages().stream()
                        .filter(m -> m.hasRole("tool")).map(ChatMessage::text).toList()));
            }
            return Reply.toolCalls(
                    io.askflow.localmodel.ToolCall.of("search_documents", "{\"query\":\"" + SECRET + "\"}"),
                    io.askflow.localmodel.ToolCall.of("forget", "{\"memory_id\":\"" + a.memoryId() + "\"}"));
        });
        int before = p.model.requests().size();
        Http.Response r = globex.postJson("/v1/prompts?wait=30", "{\"conversationId\":\"" + a.conversationId()
                + "\",\"userId\":\"u1\",\"prompt\":\"find the codename\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String text = r.json().path("text").asText();
        assertThat(text).contains("No passage").contains("no remembered fact").doesNotContain("launch codename");
        assertThat(r.json().path("sources").size()).isZero();

        List<ReceivedRequest> calls = p.model.requests().subList(before, p.model.requests().size());
        for (ReceivedRequest c : calls) {
            assertThat(c.body()).doesNotContain("launch codename").doesNotContain("Acme user likes");
            assertThat(c.request().messages()).filteredOn(m -> m.hasRole("assistant") && m.toolCalls().isEmpty()).isEmpty();
        }
        assertThat(acme.get("/v1/users/u1/memories").body()).as("acme's memory survived").contains(a.memoryId());
    }

    @Test
    void aTenantsAllowedToolsAreAllItsModelIsOffered() throws Exception {
        p.model.respondWith(req -> Reply.text("ok"));
        int before = p.model.requests().size();
        assertThat(globex.postJson("/v1/prompts?wait=30", "{\"prompt\":\"hi\"}").status()).isEqualTo(200);
        var req = p.model.requests().get(before).request();
        assertThat(req.offersTool("search_documents")).isTrue();
        assertThat(req.offersTool("fetch_url")).isFalse();
    }
}
