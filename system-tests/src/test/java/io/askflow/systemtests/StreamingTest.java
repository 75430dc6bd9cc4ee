package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.localmodel.Reply;
import io.askflow.message.TurnEvent;
import io.askflow.testkit.ScriptedModelServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Answers as they are written, through the four services: the model streams (scripted server),
 * the model-caller and tool-runner publish turn events to askflow.answer-deltas, and the gateway
 * serves them as Server-Sent Events.
 */
class StreamingTest {
    private static final String ANSWER = "According to the current_time tool, it is now Tuesday, 1 December 2026, "
            + "and this sentence streams one word at a time so that a reader sees it grow.";
    private static RunningPipeline p;
    private static Http acme;
    private static Http globex;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
        acme = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY);
        globex = new Http(p.pipeline.httpPort(), RunningPipeline.GLOBEX_KEY);
    }

    @BeforeEach
    void script() {
        p.model.reset();
    }

    private static void toolRoundThenStreamedAnswer(Duration perToken) {
        toolRoundThenStreamedAnswer(p.model, ANSWER, perToken);
    }

    /** First a tool call (its arguments in pieces), then {@code answer} streamed word by word. */
    static void toolRoundThenStreamedAnswer(ScriptedModelServer model, String answer, Duration perToken) {
        model.respondWith(req -> req.lastMessage().orElseThrow().hasRole("tool")
                ? Reply.streamed(Reply.text(answer), perToken)
                : Reply.streamed(Reply.toolCall("current_time", "{\"timeZone\":\"Europe/Berlin\"}"), Duration.ZERO));
    }

    /** The text of the attempt that is repeated after the first one is cut off after four words. */
    static final String RETRIED = "The retried attempt streams this whole sentence to the end.";

    /** The next call streams four words and is cut off; the one after streams {@link #RETRIED}. */
    static void cutOffThenRetried(ScriptedModelServer model) {
        model.enqueue(Reply.streamed(Reply.text("The first attempt is cut off after a few words of its text"),
                        Duration.ofMillis(5)).breakingAfter(4),
                Reply.streamed(Reply.text(RETRIED), Duration.ofMillis(5)));
    }

    private static String conversation() {
        return "stream-" + UUID.randomUUID();
    }

    private static String deltas(List<SseStream.Frame> frames) {
        return frames.stream().filter(f -> f.data().kind() == TurnEvent.Kind.DELTA).map(f -> f.data().text())
                .reduce("", String::concat);
    }

    @Test
    void theDeltasOfATurnWithAToolRoundConcatenateToTheFinalAnswersText() throws Exception {
        toolRoundThenStreamedAnswer(Duration.ofMillis(2));
        List<SseStream.Frame> frames;
        try (SseStream s = acme.stream("POST", "/v1/prompts?stream=true",
                "{\"conversationId\":\"" + conversation() + "\",\"prompt\":\"What is today's date?\"}")) {
            assertThat(s.status).isEqualTo(200);
            assertThat(s.contentType).startsWith("text/event-stream");
            frames = s.rest();
        }
        SseStream.Frame last = frames.getLast();
        assertThat(last.event()).isEqualTo("answer");
        assertThat(last.data().text()).isEqualTo(ANSWER);
        assertThat(deltas(frames)).isEqualTo(ANSWER);
        // The stored, exactly-once answer is the same text.
        Http.Response stored = acme.get("/v1/answers/" + last.data().requestId());
        assertThat(stored.json().path("text").asText()).isEqualTo(ANSWER);
        assertThat(stored.json().path("toolRounds").asInt()).isEqualTo(1);
        // Progress: the model call, the tool with its detail, the second model call, in that order.
        List<String> steps = frames.stream().filter(f -> f.data().kind() == TurnEvent.Kind.PROGRESS)
                .map(f -> f.data().step().wire() + (f.data().tool() == null ? "" : ":" + f.data().tool())).toList();
        assertThat(steps).containsExactly("model_call", "tool_started:current_time", "tool_finished:current_time", "model_call");
        assertThat(frames).filteredOn(f -> f.data().step() == TurnEvent.Step.TOOL_STARTED).singleElement()
                .satisfies(f -> assertThat(f.data().detail()).isEqualTo("Europe/Berlin"));
        assertIdsIncreaseAndMatchSeq(frames);
        assertThat(frames).allSatisfy(f -> assertThat(f.data().tenantId()).isEqualTo("acme"));
    }

    @Test
    void aClientThatHangsUpMidAnswerAndResumesWithLastEventIdGetsEveryEventOnce() throws Exception {
        toolRoundThenStreamedAnswer(Duration.ofMillis(25));
        Http.Response accepted = acme.postJson("/v1/prompts",
                "{\"conversationId\":\"" + conversation() + "\",\"prompt\":\"What is today's date?\"}");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String requestId = accepted.json().path("requestId").asText();
        String events = "/v1/answers/" + requestId + "/events";

        List<SseStream.Frame> before = new ArrayList<>();
        try (SseStream s = acme.stream("GET", events, null)) {
            int deltas = 0;
            while (deltas < 5) {
                SseStream.Frame f = s.next();
                assertThat(f).as("the stream ended before the fifth delta").isNotNull();
                before.add(f);
                deltas += f.data().kind() == TurnEvent.Kind.DELTA ? 1 : 0;
            }
        } // hung up mid-answer
        assertThat(before.getLast().event()).isEqualTo("delta");
        List<SseStream.Frame> after;
        try (SseStream s = acme.stream("GET", events, null, "Last-Event-ID", Long.toString(before.getLast().id()))) {
            after = s.rest();
        }
        List<SseStream.Frame> whole;
        try (SseStream s = acme.stream("GET", events, null)) {
            whole = s.rest();
        }
        List<SseStream.Frame> joined = new ArrayList<>(before);
        joined.addAll(after);
        assertThat(joined).extracting(SseStream.Frame::id).as("no gap, no duplicate")
                .containsExactlyElementsOf(whole.stream().map(SseStream.Frame::id).toList());
        assertThat(after.getFirst().id()).isGreaterThan(before.getLast().id());
        assertThat(after.getLast().event()).isEqualTo("answer");
        assertThat(deltas(joined)).isEqualTo(ANSWER);
        assertIdsIncreaseAndMatchSeq(joined);
    }

    @Test
    void anotherTenantsTurnEventsAreRefusedLikeAnUnknownId() throws Exception {
        toolRoundThenStreamedAnswer(Duration.ZERO);
        Http.Response answered = acme.postJson("/v1/prompts?wait=30",
                "{\"conversationId\":\"" + conversation() + "\",\"prompt\":\"What is today's date?\"}");
        assertThat(answered.status()).as(answered.body()).isEqualTo(200);
        String events = "/v1/answers/" + answered.json().path("requestId").asText() + "/events";
        for (Http other : List.of(globex, new Http(p.pipeline.httpPort(), null))) {
            try (SseStream s = other.stream("GET", events, null)) {
                assertThat(s.status).isEqualTo(404);
                String body = s.remainingText();
                assertThat(body).contains("invalid_request").doesNotContain(ANSWER).doesNotContain("current_time");
            }
            try (SseStream s = other.stream("GET", events, null, "X-Tenant-Id", "acme")) {
                assertThat(s.status).isEqualTo(404);
            }
        }
        Http.Response unknown = acme.get("/v1/answers/no-such-request-" + UUID.randomUUID() + "/events");
        assertThat(unknown.status()).isEqualTo(404);
        // The owner still gets its turn's events, replayed from the start and ending with the answer.
        try (SseStream s = acme.stream("GET", events, null)) {
            List<SseStream.Frame> frames = s.rest();
            assertThat(frames.getLast().data().text()).isEqualTo(ANSWER);
            assertThat(deltas(frames)).isEqualTo(ANSWER);
        }
    }

    @Test
    void aModelFailureMidStreamYieldsARetryAndAFinalAnswerThatIsTheRetriedAttemptsText() throws Exception {
        String retried = RETRIED;
        cutOffThenRetried(p.model);
        List<SseStream.Frame> frames;
        try (SseStream s = acme.stream("POST", "/v1/prompts?stream=true",
                "{\"conversationId\":\"" + conversation() + "\",\"prompt\":\"Tell me something.\"}")) {
            frames = s.rest();
        }
        List<String> kinds = frames.stream().map(SseStream.Frame::event).toList();
        int retry = kinds.indexOf("retry");
        assertThat(retry).as("a retry event in %s", kinds).isPositive();
        assertThat(deltas(frames.subList(0, retry))).isEqualTo("The first attempt is");
        assertThat(deltas(frames.subList(retry, frames.size()))).isEqualTo(retried);
        assertThat(frames.getLast().data().text()).isEqualTo(retried);
        assertThat(frames.get(retry).data().detail()).contains("stream ended before its reply was complete");
        assertIdsIncreaseAndMatchSeq(frames);
        assertThat(p.model.requests()).hasSize(2);
    }

    private static void assertIdsIncreaseAndMatchSeq(List<SseStream.Frame> frames) {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < frames.size(); i++) {
            assertThat(frames.get(i).id()).isEqualTo(frames.get(i).data().seq());
            assertThat(seen.add(frames.get(i).id())).isTrue();
            if (i > 0) {
                assertThat(frames.get(i).id()).isGreaterThan(frames.get(i - 1).id());
            }
        }
    }
}
