package io.askflow.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askflow.message.ChatMessage;
import io.askflow.message.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Trimming history to a token budget, with transcripts that contain tool calls. */
class HistoryWindowTest {
    private final TokenCounter counter = TokenCounter.forModel("gpt-4o");

    private static List<History.Stored> stored(ChatMessage... messages) {
        List<History.Stored> out = new ArrayList<>();
        for (int i = 0; i < messages.length; i++) {
            out.add(new History.Stored(i + 1, messages[i]));
        }
        return out;
    }

    private static ChatMessage call(String id) {
        return ChatMessage.assistantCalling(null, List.of(new ToolCall(id, "fetch_url", "{\"url\":\"https://x\"}")));
    }

    private static ChatMessage result(String id, String text) {
        return ChatMessage.toolResult(new ToolCall(id, "fetch_url", "{}"), text);
    }

    @Test
    void keepsTheNewestThatFitAndDropsTheRestOldestFirst() {
        List<History.Stored> h = stored(ChatMessage.user("one " + "x ".repeat(50)), ChatMessage.assistant("two"),
                ChatMessage.user("three"), ChatMessage.assistant("four"));
        int lastTwo = counter.count(h.get(2).message()) + counter.count(h.get(3).message());
        HistoryWindow.Split s = HistoryWindow.fit(h, lastTwo + counter.count(h.get(1).message()), counter);
        assertThat(s.kept()).extracting(History.Stored::id).containsExactly(2L, 3L, 4L);
        assertThat(s.dropped()).extracting(History.Stored::id).containsExactly(1L);
        assertThat(HistoryWindow.fit(h, 0, counter).kept()).isEmpty();
        assertThat(HistoryWindow.fit(h, 100_000, counter).dropped()).isEmpty();
    }

    @Test
    void aToolCallAndItsResultsAreKeptOrDroppedTogether() {
        List<History.Stored> h = stored(ChatMessage.user("fetch both"), call("a"),
                result("a", "page a " + "text ".repeat(40)), ChatMessage.assistant("done"), ChatMessage.user("next?"));
        int tail = counter.count(h.get(3).message()) + counter.count(h.get(4).message());
        // Room for the result alone but not for call + result: both go.
        int resultOnly = counter.count(h.get(2).message());
        HistoryWindow.Split s = HistoryWindow.fit(h, tail + resultOnly, counter);
        assertThat(s.kept()).extracting(History.Stored::id).containsExactly(4L, 5L);
        assertThat(s.dropped()).extracting(History.Stored::id).containsExactly(1L, 2L, 3L);
    }

    @Test
    void noBudgetEverSeparatesACallFromItsResults() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            List<ChatMessage> transcript = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                transcript.add(ChatMessage.user("question " + t + " " + "w ".repeat(random.nextInt(30))));
                if (random.nextBoolean()) {
                    int calls = 1 + random.nextInt(3);
                    List<ToolCall> cs = new ArrayList<>();
                    for (int k = 0; k < calls; k++) {
                        cs.add(new ToolCall("c" + t + k, "fetch_url", "{}"));
                    }
                    transcript.add(ChatMessage.assistantCalling(null, cs));
                    cs.forEach(c -> transcript.add(ChatMessage.toolResult(c, "r ".repeat(random.nextInt(60)))));
                }
                transcript.add(ChatMessage.assistant("answer " + t));
            }
            List<History.Stored> h = stored(transcript.toArray(ChatMessage[]::new));
            int budget = random.nextInt(counter.count(transcript) + 10);
            HistoryWindow.Split s = HistoryWindow.fit(h, budget, counter);
            List<ChatMessage> kept = s.kept().stream().map(History.Stored::message).toList();
            HistoryWindow.assertToolCallsAnswered(kept);
            assertThat(counter.count(kept)).isLessThanOrEqualTo(budget);
            assertThat(s.dropped().size() + s.kept().size()).isEqualTo(h.size());
        }
    }

    @Test
    void orphanedResultsAtTheStartOfLoadedRowsAreNeverSent() {
        List<History.Stored> h = stored(result("gone", "orphan"), ChatMessage.assistant("done"), ChatMessage.user("hi"));
        HistoryWindow.Split s = HistoryWindow.fit(h, 100_000, counter);
        assertThat(s.kept()).extracting(History.Stored::id).containsExactly(2L, 3L);
    }

    @Test
    void theInvariantCheckCatchesBrokenTranscripts() {
        assertThatThrownBy(() -> HistoryWindow.assertToolCallsAnswered(List.of(result("x", "r"))))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> HistoryWindow.assertToolCallsAnswered(List.of(call("x"), ChatMessage.user("?"))))
                .isInstanceOf(IllegalStateException.class);
        HistoryWindow.assertToolCallsAnswered(List.of(call("x"), result("x", "r"), ChatMessage.assistant("ok")));
    }
}
