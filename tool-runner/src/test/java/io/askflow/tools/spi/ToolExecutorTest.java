package io.askflow.tools.spi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.message.ChatMessage;
import io.askflow.message.Json;
import io.askflow.message.Source;
import io.askflow.message.ToolCall;
import io.askflow.message.ToolSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ToolExecutorTest {
    private static final ToolContext CTX = new ToolContext("t", "u", Instant.now().plusSeconds(60), "r", "c");

    private static Tool tool(String name, String schema, ToolBody body) {
        ToolSpec spec = new ToolSpec(name, "test tool " + name, Json.tree(schema));
        return new Tool() {
            @Override
            public ToolSpec spec() {
                return spec;
            }

            @Override
            public ToolOutput run(JsonNode arguments, ToolContext ctx) throws Exception {
                return body.run(arguments);
            }

            @Override
            public String permission() {
                return "test." + name;
            }
        };
    }

    @FunctionalInterface
    interface ToolBody {
        ToolOutput run(JsonNode arguments) throws Exception;
    }

    private static final Tool ECHO = tool("echo",
            "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"],\"additionalProperties\":false}",
            a -> ToolOutput.text(a.get("text").asText()));
    private static final Tool SLEEPY = tool("sleepy",
            "{\"type\":\"object\",\"properties\":{\"ms\":{\"type\":\"integer\"}},\"required\":[\"ms\"]}",
            a -> {
                Thread.sleep(a.get("ms").asLong());
                return ToolOutput.text("slept " + a.get("ms").asLong());
            });
    private static final Tool CITE = tool("cite",
            "{\"type\":\"object\",\"properties\":{\"url\":{\"type\":\"string\"}},\"required\":[\"url\"]}",
            a -> new ToolOutput("read " + a.get("url").asText(), List.of(Source.url(0, a.get("url").asText(), "T"))));
    private static final Tool BOOM = tool("boom", "{\"type\":\"object\",\"properties\":{}}", a -> {
        throw new IllegalStateException("kaput");
    });
    private static final Tool REFUSES = tool("refuses", "{\"type\":\"object\",\"properties\":{}}", a -> {
        throw new ToolException("refuses says no");
    });

    private static final List<Tool> ALL = List.of(ECHO, SLEEPY, CITE, BOOM, REFUSES);
    private static final Set<String> OFFERED = Set.of("echo", "sleepy", "cite", "boom", "refuses");

    private static ToolExecutor executor(Duration timeout, int maxChars) {
        return new ToolExecutor(new ToolRegistry(ALL), timeout, maxChars);
    }

    private static ToolExecutor.Round run(ToolExecutor executor, List<ToolCall> calls) throws InterruptedException {
        return executor.run(calls, OFFERED, CTX, List.of(), executor.callTimeout(Duration.ofMinutes(1)));
    }

    @Test
    void callsRunConcurrentlyAndResultsKeepTheModelsOrder() throws Exception {
        List<ToolCall> calls = List.of(
                new ToolCall("call_a", "sleepy", "{\"ms\":800}"),
                new ToolCall("call_b", "echo", "{\"text\":\"quick\"}"),
                new ToolCall("call_c", "sleepy", "{\"ms\":600}"),
                new ToolCall("call_d", "sleepy", "{\"ms\":700}"));
        long start = System.nanoTime();
        ToolExecutor.Round round = run(executor(Duration.ofSeconds(10), 8000), calls);
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(round.results()).extracting(ChatMessage::toolCallId).containsExactly("call_a", "call_b", "call_c", "call_d");
        assertThat(round.results()).extracting(ChatMessage::name).containsExactly("sleepy", "echo", "sleepy", "sleepy");
        assertThat(round.results()).extracting(ChatMessage::content).containsExactly("slept 800", "quick", "slept 600", "slept 700");
        assertThat(round.results()).allSatisfy(m -> assertThat(m.role()).isEqualTo(ChatMessage.Role.TOOL));
        // Sequential would take 2100 ms; concurrent takes about the slowest, 800 ms.
        assertThat(elapsedMs).isGreaterThanOrEqualTo(790).isLessThan(1800);
    }

    @Test
    void slowToolTimesOutIntoAnErrorResultWithoutHoldingUpTheOthers() throws Exception {
        long start = System.nanoTime();
        ToolExecutor.Round round = run(executor(Duration.ofMillis(300), 8000), List.of(
                new ToolCall("1", "sleepy", "{\"ms\":10000}"),
                new ToolCall("2", "echo", "{\"text\":\"fine\"}")));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(round.results()).extracting(ChatMessage::content)
                .containsExactly("error: tool sleepy did not finish within 300 ms", "fine");
        assertThat(elapsedMs).isLessThan(3000);
    }

    @Test
    void unknownNotOfferedInvalidAndFailingCallsBecomeErrorResults() throws Exception {
        ToolExecutor executor = executor(Duration.ofSeconds(5), 8000);
        ToolExecutor.Round round = executor.run(List.of(
                new ToolCall("1", "nope", "{}"),
                new ToolCall("2", "boom", "{}"),
                new ToolCall("3", "echo", "{\"txt\":\"typo\"}"),
                new ToolCall("4", "echo", "not json"),
                new ToolCall("5", "refuses", "{}"),
                new ToolCall("6", "cite", "{\"url\":\"https://example.com/\"}")),
                Set.of("echo", "boom", "refuses"), CTX, List.of(), Duration.ofSeconds(5));

        assertThat(round.results()).extracting(ChatMessage::content).containsExactly(
                "error: unknown tool \"nope\"; available tools: echo, boom, refuses",
                "error: tool boom failed unexpectedly (IllegalStateException)",
                "error: invalid arguments for echo: missing required property \"text\"; unknown property \"txt\" (allowed: \"text\")",
                round.results().get(3).content(),
                "error: refuses says no",
                "error: tool \"cite\" is not available in this conversation");
        assertThat(round.results().get(3).content()).startsWith("error: invalid arguments for echo: not valid JSON");
        assertThat(round.sources()).isEmpty();
    }

    @Test
    void longResultsAreTruncatedWithAMarker() throws Exception {
        String longText = "x".repeat(500);
        ToolExecutor.Round round = run(executor(Duration.ofSeconds(5), 100),
                List.of(new ToolCall("1", "echo", Json.writeString(java.util.Map.of("text", longText)))));
        String content = round.results().get(0).content();
        assertThat(content).hasSizeLessThanOrEqualTo(100).startsWith("xxxx").endsWith(" more characters]");
        int kept = content.indexOf('\n');
        assertThat(content).endsWith("[truncated: " + (500 - kept) + " more characters]");
    }

    @Test
    void sourcesAreNumberedInFirstUseOrderAndDeduplicated() throws Exception {
        ToolExecutor executor = executor(Duration.ofSeconds(5), 8000);
        List<Source> known = List.of(Source.url(1, "https://a.example/", "A"));
        ToolExecutor.Round round = executor.run(List.of(
                new ToolCall("1", "cite", "{\"url\":\"https://b.example/\"}"),
                new ToolCall("2", "cite", "{\"url\":\"https://a.example/\"}"),
                new ToolCall("3", "cite", "{\"url\":\"https://b.example/\"}"),
                new ToolCall("4", "cite", "{\"url\":\"https://c.example/\"}")),
                Set.of("cite"), CTX, known, Duration.ofSeconds(5));

        assertThat(round.sources()).extracting(Source::number, Source::url).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, "https://a.example/"),
                org.assertj.core.groups.Tuple.tuple(2, "https://b.example/"),
                org.assertj.core.groups.Tuple.tuple(3, "https://c.example/"));
    }

    @Test
    void callTimeoutIsCappedByTheTurnsRemainingTime() {
        ToolExecutor executor = executor(Duration.ofSeconds(15), 8000);
        assertThat(executor.callTimeout(Duration.ofSeconds(4))).isEqualTo(Duration.ofSeconds(4));
        assertThat(executor.callTimeout(Duration.ofMinutes(2))).isEqualTo(Duration.ofSeconds(15));
    }
}
