package io.askflow.localmodel;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Lenient on optional fields, strict only where a missing field makes the request meaningless. */
final class RequestParser {
    private RequestParser() {
    }

    static ChatRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("Request body must be a JSON object");
        }
        JsonNode messages = body.path("messages");
        if (!messages.isArray()) {
            throw new IllegalArgumentException("'messages' must be an array");
        }
        List<ChatMessage> parsed = new ArrayList<>();
        for (JsonNode m : messages) {
            parsed.add(message(m));
        }
        JsonNode streamOptions = body.path("stream_options");
        return new ChatRequest(
                body.path("model").asText(""),
                parsed,
                tools(body.path("tools")),
                nullIfAbsent(body.get("tool_choice")),
                body.path("stream").asBoolean(false),
                streamOptions.path("include_usage").asBoolean(false),
                nullIfAbsent(body.get("response_format")),
                body);
    }

    private static ChatMessage message(JsonNode m) {
        String role = m.path("role").asText(null);
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("Every message needs a 'role'");
        }
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode c : m.path("tool_calls")) {
            JsonNode function = c.path("function");
            calls.add(new ToolCall(c.path("id").asText(""), function.path("name").asText(""),
                    function.path("arguments").asText("{}")));
        }
        return new ChatMessage(role, content(m.get("content")), calls,
                m.path("tool_call_id").asText(null), m.path("name").asText(null));
    }

    /** Content may be a string or an array of parts; only text parts matter to the backends. */
    private static String content(JsonNode content) {
        if (content == null || content.isNull()) {
            return null;
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            var sb = new StringBuilder();
            for (JsonNode part : content) {
                if (part.has("text")) {
                    sb.append(part.path("text").asText());
                }
            }
            return sb.toString();
        }
        return content.toString();
    }

    private static List<OfferedTool> tools(JsonNode tools) {
        List<OfferedTool> result = new ArrayList<>();
        for (JsonNode t : tools) {
            JsonNode f = t.has("function") ? t.path("function") : t;
            String name = f.path("name").asText(null);
            if (name != null) {
                result.add(new OfferedTool(name, f.path("description").asText(null), nullIfAbsent(f.get("parameters"))));
            }
        }
        return result;
    }

    private static JsonNode nullIfAbsent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node;
    }
}
