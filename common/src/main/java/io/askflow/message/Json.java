package io.askflow.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.Instant;

/**
 * The one JSON mapping of askflow's messages. Unknown fields are ignored so that a newer writer
 * never breaks an older reader, and a missing number reads as 0 (a request without schemaVersion is
 * the first version); times are ISO-8601 strings so that records stay readable in kcat.
 *
 * <p>Types are strict: a number, boolean, object or array where a string is expected (or a string
 * where a number is, a fraction where an integer is, a number where a time is) is an error, never
 * coerced, so {@code "prompt": 42} is refused instead of being answered as the prompt "42".
 *
 * <p>Every string read or written through it is {@link StorableText storable}: U+0000 and unpaired
 * surrogates become U+FFFD. Each stage reads its input and writes its output here, so text from a
 * model or a tool can never make a later stage's database write fail.
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(strictStorableScalars())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN) // costs: 0.00000015, not 1.5E-7
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .nodeFactory(new JsonNodeFactory() {
                @Override
                public TextNode textNode(String text) {
                    return super.textNode(StorableText.of(text)); // trees too: tool arguments are parsed as trees
                }
            })
            .build();
    /** Parses trees exactly as sent, for the one place that refuses what others replace: request validation. */
    private static final ObjectMapper AS_SENT = MAPPER.copy().setNodeFactory(JsonNodeFactory.instance);

    /** Registered after JavaTimeModule, so its Instant deserializer is the one used. */
    private static SimpleModule strictStorableScalars() {
        SimpleModule m = new SimpleModule("askflow-strict-storable-scalars");
        m.addDeserializer(Instant.class, new StdScalarDeserializer<>(Instant.class) {
            @Override
            public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                if (!p.hasToken(JsonToken.VALUE_STRING)) {
                    // Not epoch seconds or milliseconds: a bare number is ambiguous, and askflow writes ISO-8601.
                    return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
                }
                return InstantDeserializer.INSTANT.deserialize(p, ctxt);
            }
        });
        m.addSerializer(String.class, new StdSerializer<>(String.class) {
            @Override
            public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(StorableText.of(value));
            }
        });
        m.addDeserializer(String.class, new StringDeserializer() {
            @Override
            public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                if (!p.hasToken(JsonToken.VALUE_STRING)) {
                    // Only a JSON string is a string: no number, boolean, object or array is turned into one.
                    return (String) ctxt.handleUnexpectedToken(String.class, p);
                }
                return StorableText.of(p.getText());
            }
        });
        m.addKeyDeserializer(String.class, new KeyDeserializer() {
            @Override
            public Object deserializeKey(String key, DeserializationContext ctxt) {
                return StorableText.of(key);
            }
        });
        return m;
    }

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public static String writeString(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** @throws MessageFormatException when the bytes are not JSON or do not fit {@code type} */
    public static <T> T read(byte[] bytes, Class<T> type) {
        try {
            T value = MAPPER.readValue(bytes, type);
            if (value == null) {
                throw new MessageFormatException("Empty record where a " + type.getSimpleName() + " was expected", null);
            }
            return value;
        } catch (IOException e) {
            throw new MessageFormatException("Not a valid " + type.getSimpleName() + ": " + firstLine(e), e);
        }
    }

    public static JsonNode tree(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new MessageFormatException("Not valid JSON: " + firstLine(e), e);
        }
    }

    public static JsonNode tree(byte[] bytes) {
        try {
            return MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new MessageFormatException("Not valid JSON: " + firstLine(e), e);
        }
    }

    /** A tree whose strings are as sent, unstorable characters included, so a validator can refuse them. */
    public static JsonNode treeAsSent(byte[] bytes) {
        try {
            return AS_SENT.readTree(bytes);
        } catch (IOException e) {
            throw new MessageFormatException("Not valid JSON: " + firstLine(e), e);
        }
    }

    static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

}
