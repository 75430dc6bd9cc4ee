package io.askflow.context;

import io.askflow.message.ChatMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which part of a conversation's history fits the token budget: the newest messages, taken whole
 * units at a time. A unit is one message, except that an assistant message asking for tools and
 * the tool results answering it form one unit, because the API rejects a transcript in which a
 * tool call and its results are separated. What does not fit is returned as {@code dropped}
 * (oldest first), to be summarised.
 */
final class HistoryWindow {
    record Split(List<History.Stored> kept, List<History.Stored> dropped) {
    }

    private HistoryWindow() {
    }

    /** @param history oldest first */
    static Split fit(List<History.Stored> history, int budget, TokenCounter counter) {
        List<List<History.Stored>> units = units(history);
        int used = 0;
        int firstKept = units.size();
        for (int i = units.size() - 1; i >= 0; i--) {
            if (units.get(i).getFirst().message().role() == ChatMessage.Role.TOOL) {
                break; // results whose call lies beyond the loaded rows: never sent alone
            }
            int cost = units.get(i).stream().mapToInt(s -> counter.count(s.message())).sum();
            if (used + cost > budget) {
                break; // contiguous: an older unit never jumps a newer one that did not fit
            }
            used += cost;
            firstKept = i;
        }
        List<History.Stored> dropped = new ArrayList<>();
        List<History.Stored> kept = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            (i < firstKept ? dropped : kept).addAll(units.get(i));
        }
        assertToolCallsAnswered(kept.stream().map(History.Stored::message).toList());
        return new Split(List.copyOf(kept), List.copyOf(dropped));
    }

    /** Groups an assistant's tool calls with the tool results that follow them. */
    static List<List<History.Stored>> units(List<History.Stored> history) {
        List<List<History.Stored>> units = new ArrayList<>();
        for (History.Stored s : history) {
            boolean continuesCall = s.message().role() == ChatMessage.Role.TOOL && !units.isEmpty()
                    && units.getLast().getFirst().message().requestsTools();
            if (continuesCall) {
                units.getLast().add(s);
            } else {
                List<History.Stored> unit = new ArrayList<>();
                unit.add(s);
                units.add(unit);
            }
        }
        return units;
    }

    /**
     * The invariant, checked on what is about to be sent: every tool result follows the call it
     * answers, and every call is answered.
     *
     * @throws IllegalStateException when trimming (or stored history) broke it
     */
    static void assertToolCallsAnswered(List<ChatMessage> messages) {
        Set<String> open = new HashSet<>();
        for (ChatMessage m : messages) {
            if (m.role() == ChatMessage.Role.TOOL) {
                if (!open.remove(m.toolCallId())) {
                    throw new IllegalStateException("A tool result (" + m.toolCallId() + ") without its tool call");
                }
            } else {
                if (!open.isEmpty()) {
                    throw new IllegalStateException("Tool calls " + open + " without their results");
                }
                m.toolCalls().forEach(c -> open.add(c.id()));
            }
        }
        if (!open.isEmpty()) {
            throw new IllegalStateException("Tool calls " + open + " without their results");
        }
    }
}
