package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.localmodel.ChatMessage;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.message.Source;
import io.askflow.testkit.ReceivedRequest;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 2's acceptance: one prompt travels the whole loop, with a tool round, and the next one remembers it. */
class TurnLoopTest {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMMM uuuu", Locale.ENGLISH);
    private static RunningPipeline p;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
    }

    @Test
    void aFetchTurnEndsWithOneAnswerAndAFollowUpSeesItInHistory() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String fact = "KRaft replaced ZooKeeper in release " + tag;
        p.web.html("/article-" + tag, "<html><head><title>Kafka facts " + tag + "</title><script>stealSecrets()</script>"
                + "<style>.x{}</style></head><body><nav>Home | Menu</nav><article><h1>Brokers</h1><p>" + fact
                + ".</p><a href=\"/more\">more</a></article><footer>(c) footer</footer></body></html>");
        String url = p.web.url("/article-" + tag);
        p.model.respondWith(req -> {
            ChatMessage last = req.lastMessage().orElseThrow();
            if (last.hasRole("tool")) {
                return Reply.text("The page says: " + last.text());
            }
            if (last.text().startsWith("Summarise")) {
                return Reply.toolCall("fetch_url", "{\"url\":\"" + url + "\"}");
            }
            return Reply.text("You asked me to summarise a page before.");
        });
        int before = p.model.requests().size();
        String conversation = "conv-" + tag;
        String today = DAY.format(LocalDate.now(ZoneOffset.UTC));

        String first = p.client.ask(conversation, "Summarise " + url);
        Answer answer = p.client.await(first, Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError("no answer"));

        assertThat(answer.isOk()).as("answer %s", answer).isTrue();
        assertThat(answer.text()).contains(fact);
        assertThat(answer.toolRounds()).isEqualTo(1);
        assertThat(answer.sources()).extracting(Source::url).containsExactly(url);
        assertThat(answer.sources()).extracting(Source::number).containsExactly(1);
        assertThat(answer.model()).isEqualTo("scripted-model");

        List<ReceivedRequest> calls = p.model.requests().subList(before, p.model.requests().size());
        assertThat(calls).hasSize(2);
        ChatMessage system = calls.get(0).request().messages().get(0);
        assertThat(system.role()).isEqualTo("system");
        String todayNow = DAY.format(LocalDate.now(ZoneOffset.UTC));
        assertThat(system.text()).contains("Current date and time: ").containsAnyOf(today, todayNow);
        assertThat(calls.get(0).request().offersTool("fetch_url")).isTrue();
        assertThat(calls.get(0).request().offersTool("current_time")).isTrue();

        List<ChatMessage> second = calls.get(1).request().messages();
        ChatMessage assistant = second.get(second.size() - 2);
        ChatMessage tool = second.get(second.size() - 1);
        assertThat(assistant.role()).isEqualTo("assistant");
        assertThat(assistant.toolCalls()).hasSize(1);
        assertThat(tool.role()).isEqualTo("tool");
        assertThat(tool.toolCallId()).isEqualTo(assistant.toolCalls().get(0).id());
        assertThat(tool.text()).contains(fact).contains("untrusted").contains("Kafka facts " + tag)
                .doesNotContain("stealSecrets").doesNotContain("Home | Menu").doesNotContain("(c) footer");
        assertThat(calls.get(1).header("Authorization")).isEqualTo("Bearer sk-test-never-shown");

        // No wait for the context-builder to store the answer: the follow-up is queued behind it by design.
        int beforeFollowUp = p.model.requests().size();
        String followUp = p.client.ask(conversation, "What did I ask you before?");
        Answer second2 = p.client.await(followUp, Duration.ofSeconds(60)).orElseThrow();
        assertThat(second2.text()).isEqualTo("You asked me to summarise a page before.");
        List<ChatMessage> history = p.model.requests().get(beforeFollowUp).request().messages();
        assertThat(history).extracting(ChatMessage::role).containsExactly("system", "user", "assistant", "user");
        assertThat(history.get(1).text()).isEqualTo("Summarise " + url);
        assertThat(history.get(2).text()).isEqualTo(answer.text());
        assertThat(history.get(3).text()).isEqualTo("What did I ask you before?");
        // The follow-up was answered after the first turn, in its conversation: a second answer to the first is below the end.
        assertThat(TopicReader.answersToEnd(p.config, conversation, first)).hasSize(1);
    }

    @Test
    void theDateQuestionIsAnsweredThroughTheCurrentTimeTool() throws Exception {
        p.model.respondWith(req -> {
            ChatMessage last = req.lastMessage().orElseThrow();
            return last.hasRole("tool") ? Reply.text("It is " + last.text()) : Reply.toolCall("current_time", "{}");
        });
        String today = DAY.format(LocalDate.now(ZoneOffset.UTC));
        String id = p.client.ask("conv-date-" + UUID.randomUUID(), "What is today's date?");
        Answer answer = p.client.await(id, Duration.ofSeconds(60)).orElseThrow();
        assertThat(answer.isOk()).isTrue();
        assertThat(answer.text()).startsWith("It is ").containsAnyOf(today, DAY.format(LocalDate.now(ZoneOffset.UTC)));
        assertThat(answer.toolRounds()).isEqualTo(1);
    }
}
