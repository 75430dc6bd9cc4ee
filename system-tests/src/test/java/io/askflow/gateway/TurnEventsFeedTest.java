package io.askflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.db.Database;
import io.askflow.embedded.Infrastructure;
import io.askflow.kafka.KafkaClients;
import io.askflow.message.Answer;
import io.askflow.message.Envelope;
import io.askflow.message.TurnEvent;
import io.askflow.message.Turn;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's turn-event log on its own (events added as the feed would add them, the committed
 * answer in the real answer book): the retry it inserts when a round's model call starts again
 * after a model-caller restart, replay after a seq, events arriving out of seq order, and the
 * answer event made from the committed answer.
 */
class TurnEventsFeedTest {
    private static HikariDataSource db;
    private static AnswerBook answers;
    private static TurnEvents feed;
    private static final Instant NOW = Instant.now();

    @BeforeAll
    static void start() {
        Infrastructure infra = Infrastructure.shared();
        Config config = Config.of(Map.of(
                Settings.KAFKA_BOOTSTRAP_SERVERS.name(), infra.kafka().bootstrapServers(),
                Settings.DATABASE_URL.name(), infra.postgres().jdbcUrl(),
                Settings.DATABASE_USER.name(), infra.postgres().user(),
                Settings.DATABASE_PASSWORD.name(), infra.postgres().password()));
        db = Database.open(config, "gateway", ds -> Database.migrate(ds, "gateway"));
        answers = new AnswerBook(db);
        // Not started: the test adds the events the feed would read.
        feed = new TurnEvents(KafkaClients.uncommittedReader(config, "turn-events-feed-test"), answers,
                new TurnEvents.Limits(Duration.ofMinutes(10), 100, 100), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    private record Delivered(TurnEvent event, Answer answer) {
    }

    private static Envelope envelope(String requestId) {
        return Envelope.builder().requestId(requestId).tenantId("acme").conversationId("c-" + requestId).userId("u")
                .deadline(NOW.plusSeconds(60)).build();
    }

    private static TurnEvent event(String requestId, long seq, TurnEvent.Kind kind) {
        Turn turn = Turn.builder().envelope(envelope(requestId)).prompt("p").acceptedAt(NOW).build();
        return TurnEvent.of(turn, seq, kind, 0, 0, NOW);
    }

    private static TurnEvent modelCall(String requestId, long seq) {
        return event(requestId, seq, TurnEvent.Kind.PROGRESS).withStep(TurnEvent.Step.MODEL_CALL, null, "m");
    }

    private static TurnEvent delta(String requestId, long seq, String text) {
        return event(requestId, seq, TurnEvent.Kind.DELTA).withText(text);
    }

    @Test
    void aRoundsModelCallStartingAgainGetsARetryBelowItAndTheAnswerIsTheCommittedOne() throws Exception {
        String id = "feed-" + UUID.randomUUID();
        List<Delivered> got = new CopyOnWriteArrayList<>();
        TurnEvents.Subscription live = feed.follow("acme", id, 0, (e, a) -> got.add(new Delivered(e, a)));
        feed.add(modelCall(id, 100));
        feed.add(delta(id, 101, "cut "));
        feed.add(delta(id, 102, "off"));
        // The model-caller was restarted: its successor starts the round again, knowing nothing.
        feed.add(modelCall(id, 200));
        feed.add(delta(id, 202, "whole"));
        feed.add(delta(id, 201, "the ")); // late, out of seq order
        feed.add(delta(id, 201, "the ")); // and read twice
        answers.record(Answer.ok(io.askflow.message.ModelCall.builder().envelope(envelope(id))
                .messages(List.of(io.askflow.message.ChatMessage.user("p"))).build(), "the whole", "m", NOW, Map.of()));
        feed.add(TurnEvent.answer(answers.find("acme", id).orElseThrow(), 203, 0, NOW));
        live.done().get(30, TimeUnit.SECONDS);

        // A live follower never goes back: 201 came after 202 was delivered (the log keeps it for replays).
        assertThat(got).extracting(d -> d.event().seq()).containsExactly(100L, 101L, 102L, 199L, 200L, 202L, 203L);
        assertThat(got.get(3).event().kind()).isEqualTo(TurnEvent.Kind.RETRY);
        assertThat(got.get(3).event().detail()).contains("restarted");
        Delivered last = got.getLast();
        assertThat(last.event().kind()).isEqualTo(TurnEvent.Kind.ANSWER);
        assertThat(last.event().text()).isEqualTo("the whole");
        assertThat(last.answer().text()).isEqualTo("the whole");
        assertThat(got.subList(0, 6)).allSatisfy(d -> assertThat(d.answer()).isNull());

        // Replay after a seq: only what came after it, in seq order, the inserted retry and the late event included.
        List<Delivered> resumed = new CopyOnWriteArrayList<>();
        feed.follow("acme", id, 102, (e, a) -> resumed.add(new Delivered(e, a))).done().get(30, TimeUnit.SECONDS);
        assertThat(resumed).extracting(d -> d.event().seq()).containsExactly(199L, 200L, 201L, 202L, 203L);
    }

    @Test
    void aTurnWithoutEventsInTheLogIsItsCommittedAnswerAlone() throws Exception {
        String id = "feed-" + UUID.randomUUID();
        answers.record(Answer.error(io.askflow.message.ModelCall.builder().envelope(envelope(id))
                .messages(List.of(io.askflow.message.ChatMessage.user("p"))).build(),
                io.askflow.message.ErrorCode.DEADLINE_EXCEEDED, "too late", NOW));
        feed.add(modelCall("other-" + id, 5)); // the log has other turns only
        List<Delivered> got = new CopyOnWriteArrayList<>();
        TurnEvents.Subscription s = feed.follow("acme", id, 0, (e, a) -> got.add(new Delivered(e, a)));
        s.done().get(30, TimeUnit.SECONDS);
        assertThat(got).singleElement().satisfies(d -> {
            assertThat(d.event().kind()).isEqualTo(TurnEvent.Kind.ANSWER);
            assertThat(d.event().error().code()).isEqualTo(io.askflow.message.ErrorCode.DEADLINE_EXCEEDED);
            assertThat(d.answer().error().message()).isEqualTo("too late");
        });
    }
}
