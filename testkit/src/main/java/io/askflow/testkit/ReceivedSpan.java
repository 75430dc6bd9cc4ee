package io.askflow.testkit;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One span as an OTLP exporter sent it to {@link OtlpReceiver}: ids in lower-case hex (the parent
 * empty for a root span), the kind as the protocol names it ({@code SPAN_KIND_CLIENT}, ...), and
 * attribute values as strings, longs, doubles, booleans or lists of them; start and end in
 * nanoseconds since 1970, as the exporter's clock had them.
 */
public record ReceivedSpan(String serviceName, String traceId, String spanId, String parentSpanId, String name,
        String kind, Map<String, Object> attributes, String statusCode, List<String> events, long startNanos,
        long endNanos) {

    public boolean isRoot() {
        return parentSpanId.isEmpty();
    }

    public Optional<Object> attribute(String key) {
        return Optional.ofNullable(attributes.get(key));
    }

    /** A string attribute, or empty when absent. */
    public String string(String key) {
        Object v = attributes.get(key);
        return v == null ? "" : v.toString();
    }
}
