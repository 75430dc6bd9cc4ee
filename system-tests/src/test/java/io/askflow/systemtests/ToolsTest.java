package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.localmodel.ChatMessage;
import io.askflow.localmodel.Reply;
import io.askflow.localmodel.ToolCall;
import io.askflow.message.Answer;
import io.askflow.message.Source;
import io.askflow.testkit.ReceivedRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 4's acceptance for parallel tool calls and search citations, through the whole pipeline. */
class ToolsTest {
    private static RunningPipeline p;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
    }

    @Test
    void threeToolCallsInOneResponseRunConcurrentlyAndTheirResultsComeBackInOrder() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        List<String> names = List.of("alpha", "beta", "gamma");
        // Each page answers only once all three were requested: run one after another, the first would get a 504.
        Map<String, String> pages = new LinkedHashMap<>();
        for (String n : names) {
            pages.put("/together-" + n + "-" + tag,
                    "<html><head><title>Page " + n + "</title></head><body><p>Content of " + n + " " + tag + "</p></body></html>");
        }
        p.web.together(Duration.ofSeconds(5), pages);
        List<ToolCall> calls = names.stream()
                .map(n -> ToolCall.of("fetch_url", "{\"url\":\"" + p.web.url("/together-" + n + "-" + tag) + "\"}"))
                .toList();
        p.model.respondWith(req -> req.lastMessage().orElseThrow().hasRole("user")
                ? Reply.toolCalls(calls.toArray(ToolCall[]::new))
                : Reply.text("All three pages read [1] [2] [3]."));
        int before = p.model.requests().size();

        String id = p.client.ask("conv-parallel-" + tag, "Read three pages");
        Answer answer = p.client.await(id, Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError("no answer"));

        assertThat(answer.isOk()).as("answer %s", answer).isTrue();
        List<ReceivedRequest> requests = p.model.requests().subList(before, p.model.requests().size());
        assertThat(requests).hasSize(2);

        List<ChatMessage> second = requests.get(1).request().messages();
        List<ChatMessage> toolMessages = second.subList(second.size() - 3, second.size());
        assertThat(toolMessages).extracting(ChatMessage::role).containsOnly("tool");
        assertThat(toolMessages).extracting(ChatMessage::toolCallId).containsExactlyElementsOf(calls.stream().map(ToolCall::id).toList());
        for (int i = 0; i < 3; i++) {
            assertThat(toolMessages.get(i).text()).contains("Content of " + names.get(i) + " " + tag)
                    .contains("Source [" + (i + 1) + "]");
        }
        assertThat(answer.sources()).extracting(Source::number, Source::title).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, "Page alpha"), org.assertj.core.groups.Tuple.tuple(2, "Page beta"),
                org.assertj.core.groups.Tuple.tuple(3, "Page gamma"));
        for (String n : names) {
            assertThat(p.web.hits("/together-" + n + "-" + tag)).isEqualTo(1);
        }
    }

    @Test
    void searchResultsAppearAsNumberedSourcesInTheAnswer() throws Exception {
        // SearxNG's JSON API, as the configured provider answers it (see RunningPipeline).
        p.web.page("/search", "application/json", """
                {"query":"kafka","number_of_results":2,"results":[
                 {"url":"https://kafka.apache.org/","title":"Apache Kafka","content":"An open-source distributed event streaming platform","engine":"duckduckgo"},
                 {"url":"https://en.wikipedia.org/wiki/Apache_Kafka","title":"Apache Kafka - Wikipedia","content":"Kafka is a distributed log"}]}""");
        p.model.respondWith(req -> req.lastMessage().orElseThrow().hasRole("user")
                ? Reply.toolCall("web_search", "{\"query\":\"what is kafka\"}")
                : Reply.text("Kafka is a distributed event streaming platform [1][2]."));
        int before = p.model.requests().size();

        String id = p.client.ask("conv-search-" + UUID.randomUUID(), "What is Kafka?");
        Answer answer = p.client.await(id, Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError("no answer"));

        assertThat(answer.isOk()).as("answer %s", answer).isTrue();
        assertThat(answer.sources()).extracting(Source::number, Source::url, Source::title).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, "https://kafka.apache.org/", "Apache Kafka"),
                org.assertj.core.groups.Tuple.tuple(2, "https://en.wikipedia.org/wiki/Apache_Kafka", "Apache Kafka - Wikipedia"));
        List<ReceivedRequest> requests = p.model.requests().subList(before, p.model.requests().size());
        assertThat(requests.get(0).request().offersTool("web_search")).isTrue();
        assertThat(requests.get(0).request().messages().get(0).text()).contains("[1]");
        ChatMessage result = requests.get(1).request().messages().getLast();
        assertThat(result.text()).contains("Source [1] Apache Kafka\nhttps://kafka.apache.org/")
                .contains("Source [2] Apache Kafka - Wikipedia").contains("untrusted search results");
        assertThat(p.web.hits("/search")).isPositive();
    }
}
