package io.askflow.context;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.message.Answer;
import io.askflow.message.Envelope;
import io.askflow.message.Turn;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The durable per-conversation queue on a real PostgreSQL. */
class TurnQueueTest {
    private final Clock clock = Clock.systemUTC();
    private final String conversation = "q-" + UUID.randomUUID();

    private TurnQueue newInstance() {
        var db = TestDatabase.get();
        return new TurnQueue(db, new History(db), clock);
    }

    private Turn turn(String id, long sequence) {
        return turn(id, "t", conversation, "prompt " + id, sequence);
    }

    private static Turn turn(String id, String tenant, String conversation, String prompt, long sequence) {
        return Turn.builder().envelope(Envelope.builder().requestId(id).tenantId(tenant).conversationId(conversation)
                        .userId("u").deadline(Instant.now().plusSeconds(60)).build())
                .prompt(prompt).acceptedAt(Instant.now()).sequence(sequence).build();
    }

    private Answer answer(String id) {
        return Answer.builder().envelope(Envelope.builder().requestId(id).tenantId("t").conversationId(conversation)
                        .userId("u").build())
                .status(Answer.Status.OK).text("answer " + id).model("m").createdAt(Instant.now()).build();
    }

    @Test
    void oneTurnRunsAtATimeAndTheNextStartsWithTheAnswer() throws Exception {
        TurnQueue q = newInstance();
        assertThat(arrive(q, turn("a1-" + conversation, 1))).map(Turn::requestId).contains("a1-" + conversation);
        assertThat(arrive(q, turn("a2-" + conversation, 2))).isEmpty();
        assertThat(arrive(q, turn("a3-" + conversation, 3))).isEmpty();

        // A restart: a new instance over the same tables carries on where the old one stopped.
        TurnQueue restarted = newInstance();
        assertThat(restarted.finish(answer("a1-" + conversation))).map(Turn::requestId).contains("a2-" + conversation);
        // The answer record redelivered: the same next turn is published again, no other one starts.
        assertThat(restarted.finish(answer("a1-" + conversation))).map(Turn::requestId).contains("a2-" + conversation);
        assertThat(restarted.finish(answer("a2-" + conversation))).map(Turn::requestId).contains("a3-" + conversation);
        assertThat(restarted.finish(answer("a3-" + conversation))).isEmpty();
    }

    @Test
    void aTurnThatOvertookItsPredecessorWaitsForIt() throws Exception {
        TurnQueue q = newInstance();
        assertThat(arrive(q, turn("b2-" + conversation, 2))).isEmpty();
        assertThat(arrive(q, turn("b1-" + conversation, 1))).map(Turn::requestId).contains("b1-" + conversation);
        assertThat(q.finish(answer("b1-" + conversation))).map(Turn::requestId).contains("b2-" + conversation);
    }

    /** The same turn record delivered again: the source is its Kafka coordinates. */
    private static java.util.Optional<Turn> arrive(TurnQueue q, Turn turn) throws Exception {
        return q.arrive(turn, "askflow.turns-0@" + turn.requestId()).start();
    }

    @Test
    void aCopyOfARunningTurnFromAnotherRecordPublishesNothing() throws Exception {
        TurnQueue q = newInstance();
        Turn t = turn("e1-" + conversation, 1);
        assertThat(arrive(q, t)).isPresent();
        // The gateway's outbox re-published a turn whose first publish it could not confirm.
        assertThat(q.arrive(t, "askflow.turns-3@99").start()).isEmpty();
        assertThat(q.finish(answer(t.requestId()))).isEmpty();
        assertThat(q.arrive(t, "askflow.turns-3@100").start()).isEmpty();
    }

    @Test
    void aRedeliveredTurnThatStartedItselfIsPublishedAgain() throws Exception {
        TurnQueue q = newInstance();
        Turn t = turn("c1-" + conversation, 1);
        assertThat(arrive(q, t)).isPresent();
        assertThat(arrive(q, t)).map(Turn::requestId).contains(t.requestId());
        assertThat(q.finish(answer(t.requestId()))).isEmpty();
        assertThat(arrive(q, t)).isEmpty();
    }

    @Test
    void conversationsDoNotWaitForEachOther() throws Exception {
        TurnQueue q = newInstance();
        assertThat(arrive(q, turn("d1-" + conversation, 1))).isPresent();
        Turn elsewhere = turn("e1-" + conversation, "t", conversation + "-other", "p", 1);
        assertThat(arrive(q, elsewhere)).isPresent();
        Turn otherTenant = turn("f1-" + conversation, "t2", conversation, "p", 1);
        assertThat(arrive(q, otherTenant)).as("same conversation id, other tenant").isPresent();
    }

    /**
     * A deletion through sequence 3: the running turn 2 is erased (its late answer is not stored),
     * the queued turn 3 is answered by the deletion once, also when the deletion or the turn is
     * redelivered; turn 4, accepted after the deletion, starts at once; a late turn 1 is refused.
     */
    @Test
    void aDeletionErasesThroughItsSequenceAnswersWhatWasQueuedOnceAndLetsLaterTurnsRun() throws Exception {
        TurnQueue q = newInstance();
        String id = conversation;
        assertThat(arrive(q, turn("g2-" + id, 2))).as("waits for 1").isEmpty();
        Turn two = turn("g2-" + id, 2);
        // Turn 1 was answered before; turn 2 then runs and turn 3 queues.
        assertThat(arrive(q, turn("g1-" + id, 1))).isPresent();
        assertThat(q.finish(answer("g1-" + id))).map(Turn::requestId).contains(two.requestId());
        assertThat(arrive(q, turn("g3-" + id, 3))).isEmpty();
        Turn four = turn("g4-" + id, 4);
        assertThat(arrive(q, four)).as("queued behind the running turn 2").isEmpty();

        TurnQueue.Outcome erased = q.erase("t", id, 3L, "askflow.deletions-0@7");
        assertThat(erased.erased()).extracting(Turn::requestId).containsExactly("g3-" + id);
        assertThat(erased.erased().getFirst().prompt()).as("nothing of the erased turn is kept").isEmpty();
        assertThat(erased.start()).map(Turn::requestId).as("turn 4 no longer waits").contains(four.requestId());

        TurnQueue.Outcome again = q.erase("t", id, 3L, "askflow.deletions-0@7");
        assertThat(again.erased()).extracting(Turn::requestId).containsExactly("g3-" + id);
        assertThat(again.start()).map(Turn::requestId).contains(four.requestId());
        assertThat(q.arrive(turn("g3-" + id, 3), "askflow.turns-0@g3-" + id).erased())
                .as("the deletion answered it already").isEmpty();
        assertThat(q.arrive(turn("g0-" + id, 1), "askflow.turns-1@1").erased())
                .extracting(Turn::requestId).as("a late turn of the erased part").containsExactly("g0-" + id);

        q.finish(answer(two.requestId()));
        q.finish(answer(four.requestId()));
        try (var c = TestDatabase.get().getConnection();
                var rows = c.prepareStatement("SELECT request_id FROM cb_messages WHERE conversation_id = ? ORDER BY id")) {
            rows.setString(1, id);
            List<String> kept = new java.util.ArrayList<>();
            try (var rs = rows.executeQuery()) {
                while (rs.next()) {
                    kept.add(rs.getString(1));
                }
            }
            assertThat(kept).as("only turn 4's prompt and answer").containsExactly(four.requestId(), four.requestId());
        }
    }
}
