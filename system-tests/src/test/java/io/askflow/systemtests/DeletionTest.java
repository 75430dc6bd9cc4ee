package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.embedded.Infrastructure;
import io.askflow.localmodel.Reply;
import io.askflow.testkit.Await;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Deleting a conversation or a user removes its rows from every table that held them. */
class DeletionTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static RunningPipeline p;
    private static Http acme;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
        acme = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY);
    }

    @Test
    void deletingAUserErasesHistoryMemoriesDocumentsAndProfileEverywhere() throws Exception {
        String user = "erase-" + UUID.randomUUID();
        String other = "keep-" + UUID.randomUUID();
        seed(user);
        seed(other);
        assertThat(rows(user).values()).allMatch(n -> n > 0);

        assertThat(acme.delete("/v1/users/" + user).status()).isEqualTo(202);
        awaitRows(user, 0);
        assertThat(rows(other).values()).as("another user's rows stay").allMatch(n -> n > 0);
    }

    @Test
    void deletingAConversationErasesItsHistoryAndAnswers() throws Exception {
        String user = "conv-user-" + UUID.randomUUID();
        seed(user);
        Map<String, Integer> before = rows(user);
        assertThat(acme.delete("/v1/conversations/c-" + user).status()).isEqualTo(202);
        List<String> erased = List.of("cb_messages", "cb_conversation_turns", "gateway_submissions", "gateway_answers");
        Map<String, Integer> after = Await.until("no rows of conversation c-" + user + " in " + erased, WAIT, () -> rows(user),
                now -> erased.stream().allMatch(table -> now.get(table) == 0));
        assertThat(after.get("knowledge_memories")).as("the user's memories are the user's, not the conversation's")
                .isEqualTo(before.get("knowledge_memories"));
    }

    /** A conversation with a remembered fact, an uploaded document and a profile. */
    private static void seed(String user) throws Exception {
        p.model.respondWith(req -> req.lastMessage().orElseThrow().hasRole("tool") ? Reply.text("ok")
                : Reply.toolCall("remember", "{\"fact\":\"likes tea\"}"));
        assertThat(acme.postJson("/v1/prompts?wait=30", "{\"conversationId\":\"c-" + user + "\",\"userId\":\"" + user
                + "\",\"prompt\":\"remember I like tea\"}").status()).isEqualTo(200);
        assertThat(acme.post("/v1/documents?userId=" + user, "text/plain", "my notes".getBytes()).status()).isEqualTo(201);
        assertThat(acme.putJson("/v1/users/" + user + "/profile", "{\"timeZone\":\"Europe/Paris\"}").status()).isEqualTo(200);
        awaitCount("SELECT count(*) FROM cb_conversation_turns WHERE user_id = ? AND status = 'done'", user);
    }

    private static void awaitRows(String user, int expected) {
        Await.until(expected + " rows of user " + user + " in every table", WAIT, () -> rows(user),
                now -> now.values().stream().allMatch(n -> n == expected));
    }

    /**
     * The rows that hold something of the user's. Not the conversations' counter rows
     * (gateway_conversations, cb_conversations), which a deletion keeps on purpose: numbers only,
     * that tell late pieces of the erased part from what comes after (DeletionRaceTest).
     */
    private static Map<String, Integer> rows(String user) throws Exception {
        String conv = "c-" + user;
        Map<String, Integer> n = new LinkedHashMap<>();
        n.put("cb_messages", count("SELECT count(*) FROM cb_messages WHERE conversation_id = ?", conv));
        n.put("cb_conversation_turns", count("SELECT count(*) FROM cb_conversation_turns WHERE conversation_id = ?", conv));
        n.put("gateway_submissions", count("SELECT count(*) FROM gateway_submissions WHERE conversation_id = ?", conv));
        n.put("gateway_answers", count("SELECT count(*) FROM gateway_answers WHERE answer->>'conversationId' = ?", conv));
        n.put("knowledge_memories", count("SELECT count(*) FROM knowledge_memories WHERE user_id = ?", user));
        n.put("knowledge_documents", count("SELECT count(*) FROM knowledge_documents WHERE user_id = ?", user));
        n.put("knowledge_chunks", count("SELECT count(*) FROM knowledge_chunks k JOIN knowledge_documents d "
                + "ON d.id = k.document_id WHERE d.user_id = ?", user));
        n.put("knowledge_user_profiles", count("SELECT count(*) FROM knowledge_user_profiles WHERE user_id = ?", user));
        return n;
    }

    private static void awaitCount(String sql, String arg) {
        Await.until("a row for " + arg + " from " + sql, WAIT, () -> count(sql, arg), n -> n > 0);
    }

    private static int count(String sql, String arg) throws Exception {
        var pg = Infrastructure.shared().postgres();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                PreparedStatement q = c.prepareStatement(sql)) {
            q.setString(1, arg);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
