package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.client.AskflowClient;
import io.askflow.client.AskflowClientException;
import io.askflow.client.ClientOptions;
import io.askflow.client.Submission;
import io.askflow.client.TurnListener;
import io.askflow.client.TurnText;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.message.PromptRequest;
import io.askflow.message.TurnEvent;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AskflowClient.follow against the whole pipeline: a turn's events as the model streams them, then its answer. */
class AskflowClientFollowTest {
    private static final String ANSWER = "According to the current_time tool, it is now Tuesday, 1 December 2026, "
            + "and this sentence streams one word at a time so that a follower sees it grow.";
    private static final long WAIT_SECONDS = 60;
    private static RunningPipeline p;
    private static AskflowClient client;

    @BeforeAll
    static void start() throws Exception {
        p = RunningPipeline.get();
        client = AskflowClient.create(ClientOptions.builder().config(p.config).clientId("client-follow-test").build());
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    @BeforeEach
    void script() {
        p.model.reset();
    }

    private static void toolRoundThenStreamedAnswer(Duration perToken) {
        StreamingTest.toolRoundThenStreamedAnswer(p.model, ANSWER, perToken);
    }

    private static Submission submit(String prompt) {
        return client.submit(PromptRequest.builder().conversationId("follow-" + UUID.randomUUID()).prompt(prompt).build());
    }

    /** Every callback in the order it came; the answer completes {@link #answer} too. */
    private static final class Recorder implements TurnListener {
        final List<Object> calls = new CopyOnWriteArrayList<>();
        final TurnText text = new TurnText();
        final CompletableFuture<Answer> answer = new CompletableFuture<>();

        @Override
        public void onEvent(TurnEvent event) {
            calls.add(event);
            text.accept(event);
        }

        @Override
        public void onAnswer(Answer a) {
            calls.add(a);
            answer.complete(a);
        }

        @Override
        public void onFailure(AskflowClientException failure) {
            calls.add(failure);
            answer.completeExceptionally(failure);
        }

        Answer awaitAnswer() throws Exception {
            return answer.get(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        List<TurnEvent> events() {
            return calls.stream().filter(TurnEvent.class::isInstance).map(TurnEvent.class::cast).toList();
        }

        String deltas() {
            return events().stream().filter(e -> e.kind() == TurnEvent.Kind.DELTA).map(TurnEvent::text)
                    .reduce("", String::concat);
        }
    }

    /**
     * Another turn followed to its answer: the callbacks of one client run one at a time in order, so
     * anything still due to an earlier follower would have come before this one's answer.
     */
    private static void awaitALaterTurn() throws Exception {
        p.model.respondWith(req -> Reply.text("marker"));
        Submission marker = submit("a later turn");
        Recorder later = new Recorder();
        try (var s = client.follow(marker.requestId(), later)) {
            assertThat(later.awaitAnswer().text()).isEqualTo("marker");
        }
    }

    private static void assertSeqIncreases(List<TurnEvent> events) {
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i).seq()).as("seq order at %d", i).isGreaterThan(events.get(i - 1).seq());
        }
    }

    @Test
    void aFollowedTurnWithAToolRoundGivesItsEventsInSeqOrderThenTheCommittedAnswerOnce() throws Exception {
        toolRoundThenStreamedAnswer(Duration.ofMillis(5));
        Submission s = submit("What is today's date?");
        Recorder r = new Recorder();
        try (var subscription = client.follow(s.requestId(), r)) {
            Answer a = r.awaitAnswer();
            assertThat(a.isOk()).as("answer %s", a).isTrue();
            assertThat(a.text()).isEqualTo(ANSWER);
            assertThat(a.toolRounds()).isEqualTo(1);
            awaitALaterTurn();
        }
        List<TurnEvent> events = r.events();
        assertThat(r.deltas()).isEqualTo(ANSWER);
        assertThat(r.text.text()).isEqualTo(ANSWER);
        assertThat(events).filteredOn(e -> e.step() == TurnEvent.Step.TOOL_STARTED).singleElement()
                .satisfies(e -> {
                    assertThat(e.tool()).isEqualTo("current_time");
                    assertThat(e.detail()).isEqualTo("Europe/Berlin");
                });
        assertThat(events).extracting(TurnEvent::kind).doesNotContain(TurnEvent.Kind.ANSWER);
        assertThat(events).allSatisfy(e -> assertThat(e.requestId()).isEqualTo(s.requestId()));
        assertSeqIncreases(events);
        assertThat(r.calls.getLast()).isInstanceOf(Answer.class);
        assertThat(r.calls).filteredOn(Answer.class::isInstance).hasSize(1);
        assertThat(r.calls).filteredOn(AskflowClientException.class::isInstance).isEmpty();
    }

    @Test
    void followingATurnSubmittedHereAfterItsAnswerReplaysEveryEventFirst() throws Exception {
        toolRoundThenStreamedAnswer(Duration.ZERO);
        Submission s = submit("What is today's date?");
        assertThat(s.await(Duration.ofSeconds(WAIT_SECONDS)).text()).isEqualTo(ANSWER);
        Recorder r = new Recorder();
        try (var subscription = client.follow(s.requestId(), r)) {
            assertThat(r.awaitAnswer().text()).isEqualTo(ANSWER);
        }
        assertThat(r.deltas()).isEqualTo(ANSWER);
        assertThat(r.events()).extracting(e -> e.step() == null ? null : e.step().wire() + ":" + e.tool())
                .containsSubsequence("model_call:null", "tool_started:current_time", "tool_finished:current_time",
                        "model_call:null");
        assertSeqIncreases(r.events());
        assertThat(r.calls.getLast()).isInstanceOf(Answer.class);
    }

    @Test
    void aRetryDiscardsTheTextOfTheAttemptItRepeats() throws Exception {
        String retried = StreamingTest.RETRIED;
        StreamingTest.cutOffThenRetried(p.model);
        Submission s = submit("Tell me something.");
        Recorder r = new Recorder();
        try (var subscription = client.follow(s.requestId(), r)) {
            assertThat(r.awaitAnswer().text()).isEqualTo(retried);
        }
        List<TurnEvent.Kind> kinds = r.events().stream().map(TurnEvent::kind).toList();
        assertThat(kinds).as("events %s", r.events()).contains(TurnEvent.Kind.RETRY);
        assertThat(r.deltas()).isEqualTo("The first attempt is" + retried);
        assertThat(r.text.text()).isEqualTo(retried);
        assertSeqIncreases(r.events());
    }
}
