package io.askflow.telemetry;

import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Trace context in Kafka record headers, as the W3C propagator reads and writes it ({@code traceparent}). */
enum KafkaHeaders implements TextMapGetter<Headers>, TextMapSetter<Headers> {
    INSTANCE;

    @Override
    public Iterable<String> keys(Headers headers) {
        Set<String> keys = new LinkedHashSet<>();
        headers.forEach(h -> keys.add(h.key()));
        return keys;
    }

    @Override
    public String get(Headers headers, String key) {
        if (headers == null) {
            return null;
        }
        Header h = headers.lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void set(Headers headers, String key, String value) {
        if (headers != null) {
            headers.remove(key);
            headers.add(key, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
