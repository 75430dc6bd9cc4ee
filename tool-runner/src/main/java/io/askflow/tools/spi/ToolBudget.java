package io.askflow.tools.spi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askflow.message.ChatMessage;
import io.askflow.message.Json;
import io.askflow.message.MessageFormatException;
import io.askflow.message.ToolCall;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The per-turn tool budgets the tool-runner enforces: calls per model response, web requests
 * (fetch_url, web_search) per turn, and no call repeated with the same arguments. Everything is
 * counted from the transcript, which holds every earlier tool call of the turn, so no state is
 * kept between rounds. A call over budget is not run; it gets an error result, and the turn is
 * marked so the model-caller asks the model for a final answer without tools.
 */
public final class ToolBudget {

    public record Limits(int callsPerRound, int webCallsPerTurn) {
    }

    /**
     * @param refused error text for each call not to run, by position in the round
     * @param exhausted which budget ran out, in words for the answer's metadata, or null when none did
     */
    public record Decision(Map<Integer, String> refused, String exhausted) {
        public Decision {
            refused = Map.copyOf(refused);
        }
    }

    private final Limits limits;

    public ToolBudget(Limits limits) {
        this.limits = limits;
    }

    /**
     * @param transcript the turn so far; its last message is the assistant's request for this round's calls
     * @param usesWeb whether the tool of that name counts as a web request
     */
    public Decision decide(List<ChatMessage> transcript, Predicate<String> usesWeb) {
        List<ToolCall> round = transcript.getLast().toolCalls();
        Set<String> seen = new HashSet<>();
        int webUsed = 0;
        for (ChatMessage m : transcript.subList(0, transcript.size() - 1)) {
            for (ToolCall earlier : m.toolCalls()) {
                seen.add(key(earlier));
                webUsed += usesWeb.test(earlier.name()) ? 1 : 0;
            }
        }
        Map<Integer, String> refused = new HashMap<>();
        String exhausted = null;
        for (int i = 0; i < round.size(); i++) {
            ToolCall call = round.get(i);
            String reason = null;
            if (i >= limits.callsPerRound()) {
                reason = "tool calls per round (" + limits.callsPerRound() + ")";
                refused.put(i, "refused: at most " + limits.callsPerRound() + " tool calls run per response; "
                        + "answer with what you have");
            } else if (!seen.add(key(call))) {
                reason = "repeated tool call";
                refused.put(i, "refused: " + call.name() + " was already called with these arguments in this turn; "
                        + "its result is above");
            } else if (usesWeb.test(call.name()) && webUsed >= limits.webCallsPerTurn()) {
                reason = "web requests per turn (" + limits.webCallsPerTurn() + ")";
                refused.put(i, "refused: this turn's budget of " + limits.webCallsPerTurn()
                        + " web requests is used up; answer with what you have");
            } else if (usesWeb.test(call.name())) {
                webUsed++;
            }
            if (exhausted == null) {
                exhausted = reason;
            }
        }
        return new Decision(refused, exhausted);
    }

    /** The same tool with the same arguments, however the model spaced or ordered its JSON. */
    static String key(ToolCall call) {
        return call.name() + " " + canonical(call.arguments());
    }

    static String canonical(String arguments) {
        String text = arguments == null || arguments.isBlank() ? "{}" : arguments;
        try {
            return Json.writeString(sorted(Json.tree(text)));
        } catch (MessageFormatException e) {
            return text.strip(); // not JSON: only the very same text is the same call
        }
    }

    private static Object sorted(JsonNode node) {
        if (node instanceof ObjectNode object) {
            Map<String, Object> fields = new TreeMap<>();
            object.properties().forEach(e -> fields.put(e.getKey(), sorted(e.getValue())));
            return fields;
        }
        if (node.isArray()) {
            List<Object> items = new ArrayList<>();
            node.forEach(n -> items.add(sorted(n)));
            return items;
        }
        return node;
    }
}
