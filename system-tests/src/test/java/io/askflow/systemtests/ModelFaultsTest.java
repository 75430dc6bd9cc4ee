package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.message.ErrorCode;
import io.askflow.message.PromptRequest;
import io.askflow.testkit.ReceivedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Model-API faults through the whole pipeline, asserted on what the scripted model server saw. */
class ModelFaultsTest {
    private static final String PAUSES = "askflow_rate_gate_pauses_total";
    private static RunningPipeline p;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
    }

    @Test
    void aRateLimitPausesTheModelCallerInsteadOfStartingARetryStorm() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        AtomicBoolean limited = new AtomicBoolean();
        p.model.respondWith(req -> {
            if (!req.lastUserMessage().orElseThrow().text().contains(tag)) {
                return Reply.text("other");
            }
            if (limited.compareAndSet(false, true)) {
                return Reply.error(429, "Rate limit reached").withCode("rate_limit_exceeded").withHeader("Retry-After", "2");
            }
            return Reply.text("done " + tag);
        });
        int before = p.model.requests().size();
        double pausesBefore = Scrape.of(p.management.port()).sum(PAUSES);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String id = "rl-" + tag + "-" + i;
            p.client.send(PromptRequest.of(id, "c-" + id, "question " + i + " " + tag));
            ids.add(id);
        }
        for (String id : ids) {
            Answer a = p.client.await(id, Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError("no answer to " + id));
            assertThat(a.isOk()).as("%s", a).isTrue();
        }
        List<ReceivedRequest> seen = p.model.requests().subList(before, p.model.requests().size());
        assertThat(seen).as("one 429, then each turn once: no retry storm").hasSize(11);
        // The 429 closed the model-caller's gate once; how long calls then wait is FaultPolicyTest's, on a stepping clock.
        assertThat(Scrape.of(p.management.port()).sum(PAUSES) - pausesBefore).as("rate-gate pauses").isEqualTo(1);
    }

    @Test
    void aTurnThatOutlivesItsDeadlineMidLoopEndsWithDeadlineExceeded() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        p.model.respondWith(req -> req.lastUserMessage().orElseThrow().text().contains(tag)
                ? Reply.toolCall("current_time", "{}").withDelay(Duration.ofMillis(2_500))
                : Reply.text("other"));
        String id = "late-" + tag;
        p.client.send(new PromptRequest(1, id, null, "c-" + id, null, "slow question " + tag, null, null,
                Instant.now().plusSeconds(2), null));
        Answer a = p.client.await(id, Duration.ofSeconds(60)).orElseThrow();
        assertThat(a.isOk()).isFalse();
        assertThat(a.error().code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
        // The slow reply is handled before a later call of the same conversation: after that one's answer,
        // an answer the late reply produced would be below the end.
        String later = p.client.ask("c-" + id, "a later question");
        assertThat(p.client.await(later, Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("other");
        assertThat(TopicReader.answersToEnd(p.config, "c-" + id, id)).hasSize(1);
    }

    @Test
    void aTurnWhoseDeadlinePassesWhileQueuedBehindItsConversationEndsWithDeadlineExceededAndReleasesTheNext() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        p.model.respondWith(req -> {
            String prompt = req.lastUserMessage().orElseThrow().text();
            return prompt.startsWith("first") ? Reply.text("first done").withDelay(Duration.ofMillis(2_500))
                    : Reply.text("answered: " + prompt);
        });
        String conversation = "queued-" + tag;
        String first = "q1-" + tag;
        String second = "q2-" + tag;
        String third = "q3-" + tag;
        p.client.send(PromptRequest.of(first, conversation, "first " + tag));
        p.client.send(new PromptRequest(1, second, null, conversation, null, "second " + tag, null, null,
                Instant.now().plusSeconds(1), null));
        p.client.send(PromptRequest.of(third, conversation, "third " + tag));

        assertThat(p.client.await(first, Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("first done");
        Answer late = p.client.await(second, Duration.ofSeconds(60)).orElseThrow();
        assertThat(late.isOk()).isFalse();
        assertThat(late.error().code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
        assertThat(p.client.await(third, Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("answered: third " + tag);
    }
}
