package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.askflow.localmodel.ChatMessage;
import io.askflow.localmodel.ChatRequest;
import io.askflow.localmodel.Reply;
import io.askflow.testkit.ReceivedRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 3's acceptance for the model input: in order, the tenant's instructions and safety rules,
 * the date line in the user's profile zone, memories, history within a budget small enough to force
 * trimming and summarising, and the new message; and never a tool call without its results.
 */
class ContextAssemblyTest {
    private static final String SUMMARISER = "Summarise the earlier part of a conversation";
    private static RunningPipeline p;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
    }

    static boolean isSummary(ChatRequest req) {
        return req.messages().getFirst().text().startsWith(SUMMARISER);
    }

    @Test
    void theModelSeesInstructionsDateMemoriesBudgetedHistoryAndThePromptInOrder() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String user = "user-" + tag;
        String conversation = "ctx-" + tag;
        Http tiny = new Http(p.pipeline.httpPort(), RunningPipeline.TINY_KEY);
        AtomicInteger summaries = new AtomicInteger();
        p.model.respondWith(req -> {
            if (isSummary(req)) {
                return Reply.text("SUMMARY-" + summaries.incrementAndGet() + " of early questions");
            }
            ChatMessage last = req.lastMessage().orElseThrow();
            if (last.hasRole("tool")) {
                return Reply.text("Noted.");
            }
            if (last.text().startsWith("Please remember")) {
                return Reply.toolCall("remember", "{\"fact\":\"The user's cat is called Miso " + tag + "\"}");
            }
            return Reply.text("Answer to " + last.text() + ": " + "lorem ipsum dolor sit amet ".repeat(8).strip());
        });
        assertThat(tiny.putJson("/v1/users/" + user + "/profile", "{\"timeZone\":\"Asia/Tokyo\"}").status()).isEqualTo(200);
        int before = p.model.requests().size();

        ask(tiny, conversation, user, "Please remember that my cat is called Miso");
        for (int i = 1; i <= 6; i++) {
            ask(tiny, conversation, user, "Question " + i);
        }
        ask(tiny, conversation, user, "Final question");

        List<ReceivedRequest> calls = p.model.requests().subList(before, p.model.requests().size());
        calls.forEach(c -> assertToolCallsAnswered(c.request()));
        ChatRequest last = calls.stream().map(ReceivedRequest::request).filter(r -> !isSummary(r))
                .reduce((a, b) -> b).orElseThrow();
        assertThat(last.model()).as("the tenant's default model").isEqualTo("gpt-4o-mini");

        List<ChatMessage> sent = last.messages();
        String system = sent.getFirst().text();
        assertThat(sent.getFirst().role()).isEqualTo("system");
        int instructions = system.indexOf("TINY-INSTRUCTIONS");
        int safety = system.indexOf("TINY-SAFETY");
        int date = system.indexOf("Current date and time: ");
        int memory = system.indexOf("cat is called Miso " + tag);
        int summary = system.indexOf("SUMMARY-");
        assertThat(List.of(instructions, safety, date, memory, summary)).doesNotContain(-1).isSorted();
        assertThat(system).contains("in time zone Asia/Tokyo").doesNotContain("You are askflow");

        List<ChatMessage> history = sent.subList(1, sent.size() - 1);
        assertThat(sent.getLast().role()).isEqualTo("user");
        assertThat(sent.getLast().text()).isEqualTo("Final question");
        String historyText = String.join("\n", history.stream().map(ChatMessage::text).toList());
        assertThat(historyText).as("the newest turns are shown").contains("Question 6").contains("Answer to Question 6");
        assertThat(historyText).as("the oldest turns are summarised, not shown").doesNotContain("Please remember")
                .doesNotContain("Question 1:");

        Encoding o200k = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
        int tokens = sent.stream().mapToInt(m -> 3 + o200k.countTokensOrdinary(m.text())).sum();
        assertThat(tokens).as("tokens sent").isLessThanOrEqualTo(RunningPipeline.TINY_BUDGET);

        // Summaries are stored and extended: a later summary call gets the previous summary and only
        // the turns that newly fell out, never the whole conversation again.
        List<ChatRequest> summaryCalls = calls.stream().map(ReceivedRequest::request).filter(ContextAssemblyTest::isSummary).toList();
        assertThat(summaryCalls.size()).as("summaries made").isBetween(2, 8);
        String second = summaryCalls.get(1).messages().getLast().text();
        assertThat(second).contains("Summary so far: SUMMARY-1").doesNotContain("Please remember");
    }

    @Test
    void withoutAProfileZoneTheRequestZoneOrUtcIsUsed() throws Exception {
        p.model.respondWith(req -> Reply.text("ok"));
        Http tiny = new Http(p.pipeline.httpPort(), RunningPipeline.TINY_KEY);
        int before = p.model.requests().size();
        var r = tiny.postJson("/v1/prompts?wait=30", "{\"conversationId\":\"zone-" + UUID.randomUUID()
                + "\",\"userId\":\"nobody-" + UUID.randomUUID() + "\",\"prompt\":\"hi\",\"timeZone\":\"America/Lima\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(p.model.requests().get(before).request().messages().getFirst().text()).contains("in time zone America/Lima");
        before = p.model.requests().size();
        r = tiny.postJson("/v1/prompts?wait=30", "{\"conversationId\":\"zone-" + UUID.randomUUID() + "\",\"prompt\":\"hi\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(p.model.requests().get(before).request().messages().getFirst().text()).contains("in time zone UTC");
    }

    private static void ask(Http http, String conversation, String user, String prompt) throws Exception {
        Http.Response r = http.postJson("/v1/prompts?wait=30", "{\"conversationId\":\"" + conversation + "\",\"userId\":\""
                + user + "\",\"prompt\":\"" + prompt + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("status").asText()).as(r.body()).isEqualTo("ok");
    }

    /** The API's rule: every tool result answers a call made just before, and every call is answered. */
    static void assertToolCallsAnswered(ChatRequest req) {
        Set<String> open = new HashSet<>();
        for (ChatMessage m : req.messages()) {
            if (m.hasRole("tool")) {
                assertThat(open.remove(m.toolCallId())).as("tool result %s has its call", m.toolCallId()).isTrue();
            } else {
                assertThat(open).as("calls answered before the next message").isEmpty();
                m.toolCalls().forEach(c -> open.add(c.id()));
            }
        }
        assertThat(open).isEmpty();
    }
}
