package io.askflow.testkit;

import io.askflow.localmodel.ChatMessage;
import io.askflow.localmodel.ChatRequest;
import io.askflow.localmodel.IncomingRequest;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request the {@link ScriptedModelServer} received, kept so tests can assert on what askflow
 * actually sent to the model (history, tools, headers, retries) rather than on what it meant to send.
 *
 * @param index   1-based position in arrival order across all requests to the server
 * @param attempt 1 for a first try, 2 for the first retry, ...; taken from the
 *                {@code X-Stainless-Retry-Count} header openai-java sends, so it is 1 for other clients
 * @param body    the raw request body exactly as received
 * @param headers request headers, case-insensitive keys; includes {@code Authorization}
 */
public record ReceivedRequest(int index, int attempt, ChatRequest request, String body,
                              Map<String, List<String>> headers, Instant arrival) {

    static final String RETRY_COUNT_HEADER = "X-Stainless-Retry-Count";

    public ReceivedRequest {
        var copy = new TreeMap<String, List<String>>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        headers = Collections.unmodifiableMap(copy);
    }

    static ReceivedRequest of(int index, IncomingRequest incoming) {
        return new ReceivedRequest(index, attemptOf(incoming.header(RETRY_COUNT_HEADER)), incoming.request(),
                incoming.body(), incoming.headers(), incoming.arrival());
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** The text of the latest user message, or the empty string: what most assertions are about. */
    public String lastUserText() {
        return request.lastUserMessage().map(ChatMessage::text).orElse("");
    }

    private static int attemptOf(String retryCount) {
        if (retryCount == null) {
            return 1;
        }
        try {
            return Integer.parseInt(retryCount.strip()) + 1;
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** Omits header values and the body: they carry the API key and possibly personal test data. */
    @Override
    public String toString() {
        return "ReceivedRequest[#" + index + ", attempt=" + attempt + ", model=" + request.model()
                + ", messages=" + request.messages().size() + ", tools=" + request.tools().size()
                + ", stream=" + request.stream() + ", headers=" + headers.keySet() + ", arrival=" + arrival + "]";
    }
}
