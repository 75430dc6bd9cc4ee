package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.embedded.Infrastructure;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.message.Envelope;
import io.askflow.message.Json;
import io.askflow.message.Turn;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A gateway killed between claiming an HTTP submission and the broker's acknowledgement leaves the
 * claim pending; its outbox publishes the turn, so the request is answered and its conversation
 * goes on. The claim is written here exactly as the gateway writes it before publishing.
 */
class OutboxTest {
    private static RunningPipeline p;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
    }

    @Test
    void aClaimedButUnpublishedTurnIsPublishedByTheOutboxAndTheConversationGoesOn() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        p.model.respondWith(req -> Reply.text("answered " + req.lastUserMessage().orElseThrow().text()));
        String conversation = "outbox-" + tag;
        String lost = "lost-" + tag;
        Instant claimedAt = Instant.now().minusSeconds(60);
        Turn turn = Turn.builder().envelope(Envelope.builder().requestId(lost).tenantId("default").conversationId(conversation)
                        .userId("anonymous").deadline(Instant.now().plus(Duration.ofMinutes(5))).build())
                .prompt("was the gateway killed? " + tag).acceptedAt(claimedAt).sequence(1).build();
        var pg = Infrastructure.shared().postgres();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            try (PreparedStatement conv = c.prepareStatement(
                    "INSERT INTO gateway_conversations (tenant_id, conversation_id, last_sequence) VALUES ('default', ?, 1)")) {
                conv.setString(1, conversation);
                conv.executeUpdate();
            }
            try (PreparedStatement claim = c.prepareStatement("""
                    INSERT INTO gateway_submissions (request_id, tenant_id, conversation_id, source, accepted_at, user_id,
                    sequence, pending_turn) VALUES (?, 'default', ?, ?, ?, 'anonymous', 1, ?::jsonb)""")) {
                claim.setString(1, lost);
                claim.setString(2, conversation);
                claim.setString(3, "http:" + UUID.randomUUID());
                claim.setTimestamp(4, Timestamp.from(claimedAt));
                claim.setString(5, Json.writeString(turn));
                claim.executeUpdate();
            }
            Answer answer = p.client.await(lost, Duration.ofSeconds(30)).orElseThrow(() -> new AssertionError("outbox did not publish"));
            assertThat(answer.text()).isEqualTo("answered was the gateway killed? " + tag);

            try (PreparedStatement q = c.prepareStatement("SELECT pending_turn IS NULL FROM gateway_submissions WHERE request_id = ?")) {
                q.setString(1, lost);
                try (ResultSet rs = q.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getBoolean(1)).as("confirmed after publishing").isTrue();
                }
            }
        }
        // The conversation is not stuck behind the lost turn: the next one (sequence 2) runs.
        String next = p.client.ask(conversation, "and then? " + tag);
        assertThat(p.client.await(next, Duration.ofSeconds(30)).orElseThrow().text()).isEqualTo("answered and then? " + tag);
        p.client.drain(Duration.ofSeconds(3));
        assertThat(p.client.answers()).filteredOn(a -> lost.equals(a.requestId())).hasSize(1);
    }
}
