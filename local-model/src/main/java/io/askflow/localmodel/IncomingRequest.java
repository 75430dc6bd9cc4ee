package io.askflow.localmodel;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A chat-completions request as it arrived, for observers that care about transport details
 * (headers, exact bytes) which backends deliberately never see.
 *
 * @param headers request headers; keys are case-insensitive, as in HTTP
 */
public record IncomingRequest(ChatRequest request, String body, Map<String, List<String>> headers, Instant arrival) {

    public IncomingRequest {
        var copy = new TreeMap<String, List<String>>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        headers = java.util.Collections.unmodifiableMap(copy);
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** Leaves out header values: they include the caller's API key. */
    @Override
    public String toString() {
        return "IncomingRequest[model=" + request.model() + ", messages=" + request.messages().size()
                + ", stream=" + request.stream() + ", headers=" + headers.keySet() + ", arrival=" + arrival + "]";
    }
}
