package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.localmodel.ChatMessage;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.testkit.ReceivedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 3: one turn at a time per conversation, in order, without holding up other conversations. */
class ConversationOrderTest {
    private static final Duration MODEL_DELAY = Duration.ofMillis(400);
    private static RunningPipeline p;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
    }

    @Test
    void fiveMessagesAtOnceAreAnsweredInOrderEachSeeingThePreviousAnswers() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        CountDownLatch otherCalled = new CountDownLatch(1);
        p.model.respondWith(req -> {
            String prompt = req.lastUserMessage().orElseThrow().text();
            if (prompt.startsWith("meanwhile ")) {
                otherCalled.countDown();
            } else if (prompt.startsWith("message 1 ") && !arrives(otherCalled)) {
                // The first serial call is held until the other conversation's call arrives, which it cannot if queued behind it.
                return Reply.text("the other conversation waited for this one");
            }
            return Reply.text("answer to " + prompt).withDelay(MODEL_DELAY);
        });
        int before = p.model.requests().size();
        String conversation = "serial-" + tag;
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ids.add(p.client.ask(conversation, "message " + i + " " + tag));
        }
        String other = p.client.ask("other-" + tag, "meanwhile " + tag);

        List<Answer> answers = new ArrayList<>();
        for (String id : ids) {
            answers.add(p.client.await(id, Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError("no answer " + id)));
        }
        for (int i = 0; i < 5; i++) {
            assertThat(answers.get(i).text()).isEqualTo("answer to message " + (i + 1) + " " + tag);
        }
        Answer otherAnswer = p.client.await(other, Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("no answer to the other conversation"));
        assertThat(answers).extracting(Answer::createdAt).isSorted();
        assertThat(otherAnswer.text()).isEqualTo("answer to meanwhile " + tag);

        List<ReceivedRequest> calls = p.model.requests().subList(before, p.model.requests().size()).stream()
                .filter(r -> r.lastUserText().startsWith("message ")).toList();
        assertThat(calls).hasSize(5);
        for (int i = 0; i < 5; i++) {
            List<ChatMessage> sent = calls.get(i).request().messages();
            assertThat(sent.getLast().text()).isEqualTo("message " + (i + 1) + " " + tag);
            List<String> earlierAnswers = sent.stream().filter(m -> m.hasRole("assistant")).map(ChatMessage::text).toList();
            List<String> expected = new ArrayList<>();
            for (int k = 1; k <= i; k++) {
                expected.add("answer to message " + k + " " + tag);
            }
            assertThat(earlierAnswers).as("history of message %d", i + 1).containsExactlyElementsOf(expected);
        }
    }

    private static boolean arrives(CountDownLatch latch) {
        try {
            return latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
