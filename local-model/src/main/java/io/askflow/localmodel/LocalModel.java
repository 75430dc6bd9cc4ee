package io.askflow.localmodel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The offline default model, used when no {@code OPENAI_API_KEY} is configured. It is deliberately
 * simple and deterministic: its job is to let askflow's whole loop (tools, history, streaming) run
 * end to end without network or cost, and to make unmistakably clear that no real model answered.
 */
public final class LocalModel implements ChatBackend {

    public static final String MODEL_NAME = "askflow-local-model";
    public static final String SYSTEM_FINGERPRINT = "askflow-local-offline-not-gpt";
    public static final String CURRENT_TIME_TOOL = "current_time";
    public static final String FETCH_URL_TOOL = "fetch_url";

    /** Long enough to show the page was read, short enough to keep answers readable. */
    static final int FETCH_QUOTE_LIMIT = 500;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern URL = Pattern.compile("https?://[^\\s<>\"'`]+", Pattern.CASE_INSENSITIVE);
    private static final Pattern TIME_QUESTION = Pattern.compile(
            "\\b(date|time|today|day|weekday|year|month)\\b", Pattern.CASE_INSENSITIVE);

    @Override
    public Optional<String> servedModel() {
        return Optional.of(MODEL_NAME);
    }

    @Override
    public String systemFingerprint() {
        return SYSTEM_FINGERPRINT;
    }

    @Override
    public Reply reply(ChatRequest request) {
        Optional<ChatMessage> last = request.lastMessage();
        if (last.isPresent() && last.get().hasRole("tool")) {
            return Reply.text(describeToolResults(request));
        }
        String prompt = request.lastUserMessage().map(ChatMessage::text).orElse("");
        Optional<String> url = firstUrl(prompt);
        if (url.isPresent() && request.offersTool(FETCH_URL_TOOL)) {
            return Reply.toolCall(FETCH_URL_TOOL, JSON.createObjectNode().put("url", url.get()).toString());
        }
        if (TIME_QUESTION.matcher(prompt).find() && request.offersTool(CURRENT_TIME_TOOL)) {
            return Reply.toolCall(CURRENT_TIME_TOOL, "{}");
        }
        return Reply.text("You said: \"" + prompt + "\". I am askflow's offline local model, not GPT; I saw "
                + earlierTurns(request) + " earlier messages in this conversation's history.");
    }

    /** Answers every tool result of the latest round, in the order the results came back. */
    private static String describeToolResults(ChatRequest request) {
        List<ChatMessage> messages = request.messages();
        int first = messages.size();
        while (first > 0 && messages.get(first - 1).hasRole("tool")) {
            first--;
        }
        List<String> sentences = new ArrayList<>();
        for (ChatMessage result : messages.subList(first, messages.size())) {
            Optional<ToolCall> call = Optional.ofNullable(result.toolCallId()).flatMap(request::toolCall);
            String name = call.map(ToolCall::name).orElse(result.name() == null ? "unknown" : result.name());
            String content = result.text().strip();
            sentences.add(switch (name) {
                case CURRENT_TIME_TOOL -> "According to the current_time tool, it is now " + content + ".";
                case FETCH_URL_TOOL -> "I fetched " + call.flatMap(c -> urlArgument(c.arguments())).orElse("the page")
                        + ". It says: " + truncate(content, FETCH_QUOTE_LIMIT);
                default -> "Tool " + name + " returned: " + content;
            });
        }
        return String.join("\n", sentences);
    }

    /** User and assistant turns before the latest user message; system and tool plumbing is not "history". */
    private static int earlierTurns(ChatRequest request) {
        List<ChatMessage> messages = request.messages();
        int lastUser = -1;
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).hasRole("user")) {
                lastUser = i;
                break;
            }
        }
        int count = 0;
        for (int i = 0; i < lastUser; i++) {
            if (messages.get(i).hasRole("user") || messages.get(i).hasRole("assistant")) {
                count++;
            }
        }
        return count;
    }

    static Optional<String> firstUrl(String text) {
        Matcher m = URL.matcher(text);
        if (!m.find()) {
            return Optional.empty();
        }
        String url = m.group();
        while (!url.isEmpty() && ".,;:!?)]}".indexOf(url.charAt(url.length() - 1)) >= 0) {
            url = url.substring(0, url.length() - 1);
        }
        return Optional.of(url);
    }

    /** Tolerates malformed arguments: the answer should still mention what was fetched if it can. */
    private static Optional<String> urlArgument(String arguments) {
        try {
            String url = JSON.readTree(arguments).path("url").asText("");
            return url.isEmpty() ? firstUrl(arguments) : Optional.of(url);
        } catch (JsonProcessingException e) {
            return firstUrl(arguments);
        }
    }

    private static String truncate(String text, int limit) {
        if (text.length() <= limit) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(limit - 1)) ? limit - 1 : limit;
        return text.substring(0, end) + "…";
    }
}
