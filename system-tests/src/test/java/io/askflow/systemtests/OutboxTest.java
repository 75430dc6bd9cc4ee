package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.askflow.db.Database;
import io.askflow.embedded.Infrastructure;
import io.askflow.gateway.KilledGateway;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.message.Json;
import io.askflow.message.Turn;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A gateway killed between claiming an HTTP submission and the broker's acknowledgement leaves the
 * claim pending; its outbox publishes the turn, so the request is answered and its conversation
 * goes on. The claim is written by the gateway's own admission, which is then stopped before publishing.
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
        // Claimed a minute ago, so the outbox's sweep finds the turn overdue.
        Clock aMinuteAgo = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-60));
        Turn turn;
        try (HikariDataSource db = Database.open(p.config, "gateway")) {
            turn = KilledGateway.admitOverHttpAndDie(db, "default", Json.writeString(Map.of("requestId", lost,
                    "conversationId", conversation, "prompt", "was the gateway killed? " + tag)), aMinuteAgo);
        }
        assertThat(turn.sequence()).isEqualTo(1);
        var pg = Infrastructure.shared().postgres();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
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
        // A sweep that published the lost turn twice would have answered it before "next", in the same conversation.
        assertThat(TopicReader.answersToEnd(p.config, conversation, lost)).hasSize(1);
    }
}
