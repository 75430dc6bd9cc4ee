package io.askflow.kafka;

import io.askflow.message.Json;
import java.util.Map;
import java.util.Objects;

/**
 * A topic declared once: its name, the type of its values, and the configs it is created with.
 * Services refer to topics only through {@link Topics}, never by a string.
 */
public record TopicSpec<T>(String name, Class<T> valueType, String doc, Map<String, String> configs) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(valueType, "valueType");
        configs = Map.copyOf(configs);
    }

    public byte[] encode(T value) {
        if (valueType == byte[].class) {
            return (byte[]) value;
        }
        return Json.write(value);
    }

    /** @throws io.askflow.message.MessageFormatException when the bytes are not a {@code T} */
    public T decode(byte[] bytes) {
        if (valueType == byte[].class) {
            return valueType.cast(bytes);
        }
        if (bytes == null) {
            throw new io.askflow.message.MessageFormatException("Record has no value (tombstone) on " + name, null);
        }
        return Json.read(bytes, valueType);
    }

    @Override
    public String toString() {
        return name;
    }
}
