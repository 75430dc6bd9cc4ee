package io.askflow.tools.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.message.ChatMessage;
import io.askflow.message.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ToolBudgetTest {
    private static final ToolBudget BUDGET = new ToolBudget(new ToolBudget.Limits(3, 4));
    private static final Set<String> WEB = Set.of("fetch_url", "web_search");

    private static ToolCall call(String id, String name, String args) {
        return new ToolCall(id, name, args);
    }

    /** A transcript whose earlier rounds made {@code earlier} calls (one per round) and whose last message asks for {@code round}. */
    private static List<ChatMessage> transcript(List<ToolCall> earlier, List<ToolCall> round) {
        List<ChatMessage> m = new ArrayList<>(List.of(ChatMessage.system("s"), ChatMessage.user("u")));
        for (ToolCall c : earlier) {
            m.add(ChatMessage.assistantCalling(null, List.of(c)));
            m.add(ChatMessage.toolResult(c, "result"));
        }
        m.add(ChatMessage.assistantCalling(null, round));
        return m;
    }

    private static ToolBudget.Decision decide(List<ToolCall> earlier, List<ToolCall> round) {
        return BUDGET.decide(transcript(earlier, round), WEB::contains);
    }

    @Test
    void withinEveryBudgetNothingIsRefused() {
        ToolBudget.Decision d = decide(List.of(call("1", "fetch_url", "{\"url\":\"https://a.example/\"}")),
                List.of(call("2", "fetch_url", "{\"url\":\"https://b.example/\"}"), call("3", "current_time", "{}")));
        assertThat(d.refused()).isEmpty();
        assertThat(d.exhausted()).isNull();
    }

    @Test
    void callsBeyondThePerRoundLimitAreRefused() {
        List<ToolCall> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(call("c" + i, "current_time", "{\"time_zone\":\"Etc/GMT+" + i + "\"}"));
        }
        ToolBudget.Decision d = decide(List.of(), five);
        assertThat(d.refused()).containsOnlyKeys(3, 4);
        assertThat(d.refused().get(3)).startsWith("refused: at most 3 tool calls run per response");
        assertThat(d.exhausted()).isEqualTo("tool calls per round (3)");
    }

    @Test
    void webRequestsAreCountedAcrossTheWholeTurn() {
        List<ToolCall> earlier = List.of(call("1", "fetch_url", "{\"url\":\"https://a.example/\"}"),
                call("2", "web_search", "{\"query\":\"x\"}"), call("3", "current_time", "{}"));
        ToolBudget.Decision d = decide(earlier, List.of(call("4", "fetch_url", "{\"url\":\"https://b.example/\"}"),
                call("5", "fetch_url", "{\"url\":\"https://c.example/\"}"),
                call("6", "fetch_url", "{\"url\":\"https://d.example/\"}")));
        assertThat(d.refused()).containsOnlyKeys(2);
        assertThat(d.refused().get(2)).contains("budget of 4 web requests is used up");
        assertThat(d.exhausted()).isEqualTo("web requests per turn (4)");
    }

    @Test
    void theSameCallWithTheSameArgumentsIsRefusedHoweverTheJsonIsSpelled() {
        List<ToolCall> earlier = List.of(call("1", "fetch_url", "{\"url\":\"https://a.example/\",\"x\":[1,{\"b\":2,\"a\":1}]}"));
        ToolBudget.Decision d = decide(earlier, List.of(
                call("2", "fetch_url", " { \"x\" : [1, {\"a\":1, \"b\":2}], \"url\" : \"https://a.example/\" } "),
                call("3", "fetch_url", "{\"url\":\"https://a.example/other\"}")));
        assertThat(d.refused()).containsOnlyKeys(0);
        assertThat(d.refused().get(0)).contains("already called with these arguments");
        assertThat(d.exhausted()).isEqualTo("repeated tool call");
    }

    @Test
    void aRepeatWithinOneResponseIsRefusedToo() {
        ToolBudget.Decision d = decide(List.of(), List.of(call("1", "current_time", "{}"), call("2", "current_time", "")));
        assertThat(d.refused()).containsOnlyKeys(1);
    }

    @Test
    void argumentsThatAreNotJsonAreComparedAsText() {
        assertThat(ToolBudget.canonical("not json")).isEqualTo("not json");
        assertThat(ToolBudget.canonical("{\"b\":1,\"a\":2}")).isEqualTo("{\"a\":2,\"b\":1}");
    }

    @Test
    void argumentsThatDifferOnlyInsideAnArrayAreDifferentCalls() {
        assertThat(ToolBudget.canonical("{\"q\":[1,{\"b\":2,\"a\":1}]}"))
                .isEqualTo(ToolBudget.canonical("{ \"q\" : [1, {\"a\":1, \"b\":2}] }"));
        assertThat(ToolBudget.canonical("{\"q\":[1]}")).isNotEqualTo(ToolBudget.canonical("{\"q\":[2]}"));
        ToolBudget.Decision d = decide(List.of(call("1", "web_search", "{\"terms\":[\"kafka\"]}")),
                List.of(call("2", "web_search", "{\"terms\":[\"postgres\"]}")));
        assertThat(d.refused()).isEmpty();
        assertThat(d.exhausted()).isNull();
    }
}
