package io.askflow.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.message.ChatMessage;
import io.askflow.message.Json;
import io.askflow.message.MessageFormatException;
import io.askflow.message.ToolCall;
import java.util.Iterator;
import java.util.List;

/**
 * The short detail a tool's progress event shows a reader: what the call is about (its URL, query or
 * other main argument) when it starts, and how it went when it finishes. Never the whole output,
 * which may be long and is the model's to read.
 */
final class ToolProgress {
    static final int MAX_CHARS = 120;
    /** The arguments that say best what a call is about, in order of preference. */
    private static final List<String> MAIN_ARGUMENTS = List.of("url", "query");

    private ToolProgress() {
    }

    static String started(ToolCall call) {
        JsonNode args;
        try {
            args = Json.tree(call.arguments());
        } catch (MessageFormatException e) {
            return null;
        }
        if (!args.isObject()) {
            return null;
        }
        for (String name : MAIN_ARGUMENTS) {
            if (args.path(name).isTextual()) {
                return cut(args.path(name).asText());
            }
        }
        for (Iterator<JsonNode> it = args.elements(); it.hasNext();) {
            JsonNode v = it.next();
            if (v.isTextual()) {
                return cut(v.asText());
            }
        }
        return null;
    }

    static String finished(ChatMessage result) {
        String content = result.content() == null ? "" : result.content();
        return content.startsWith("error:") ? cut(content) : content.length() + " characters";
    }

    private static String cut(String s) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= MAX_CHARS ? one : one.substring(0, MAX_CHARS - 1) + "…";
    }
}
