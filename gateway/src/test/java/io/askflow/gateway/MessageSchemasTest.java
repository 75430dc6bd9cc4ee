package io.askflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.askflow.message.Answer;
import io.askflow.message.AnswerError;
import io.askflow.message.DocumentUpload;
import io.askflow.message.Envelope;
import io.askflow.message.ErrorCode;
import io.askflow.message.JobEvent;
import io.askflow.message.Json;
import io.askflow.message.PromptRequest;
import io.askflow.message.Source;
import io.askflow.message.TurnEvent;
import io.askflow.message.Usage;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/schemas holds a JSON Schema for every public message. Checked here against the records
 * themselves (reflectively, so a new or renamed component fails), against what the Java writer
 * always writes, against what the gateway requires, and against sample JSON, the README's included.
 */
class MessageSchemasTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path SCHEMAS = ROOT.resolve("docs/schemas");
    private static final Instant NOW = Instant.parse("2026-11-26T08:00:00Z");
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final RequestValidator gateway = new RequestValidator(
            new RequestValidator.Limits(1_000_000, 10_000, Duration.ofMinutes(2)));

    /** Who writes a message decides what its schema may require: askflow's writer, or the gateway's reader. */
    enum Writer { ASKFLOW, PRODUCERS }

    record Message(String file, Class<? extends Record> type, Writer writer) {
        @Override
        public String toString() {
            return type.getSimpleName();
        }
    }

    static final List<Message> PUBLIC = List.of(
            new Message("prompt-request.schema.json", PromptRequest.class, Writer.PRODUCERS),
            new Message("answer.schema.json", Answer.class, Writer.ASKFLOW),
            new Message("document-upload.schema.json", DocumentUpload.class, Writer.PRODUCERS),
            new Message("job-event.schema.json", JobEvent.class, Writer.ASKFLOW),
            new Message("turn-event.schema.json", TurnEvent.class, Writer.ASKFLOW));

    static List<Message> messages() {
        return PUBLIC;
    }

    private static JsonNode schemaTree(Message m) {
        try {
            return Json.tree(Files.readString(SCHEMAS.resolve(m.file())));
        } catch (IOException e) {
            throw new AssertionError("Cannot read " + m.file(), e);
        }
    }

    private static Schema schema(Class<?> type) {
        Message m = PUBLIC.stream().filter(x -> x.type() == type).findFirst().orElseThrow();
        return REGISTRY.getSchema(schemaTree(m));
    }

    private static List<String> errors(Class<?> type, String json) {
        // Since draft 2019-09 "format" only annotates unless assertions are asked for; askflow's reader does assert it.
        return schema(type).validate(Json.tree(json), context -> context.executionConfig(c -> c.formatAssertionsEnabled(true)))
                .stream().map(Error::toString).toList();
    }

    @Test
    void everySchemaFileIsAPublicMessageAndTheReadmeLinksEachOne() throws IOException {
        try (Stream<Path> files = Files.list(SCHEMAS)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(PUBLIC.stream().map(Message::file).toList());
        }
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (Message m : PUBLIC) {
            assertThat(readme).as("README links %s", m.file()).contains("(docs/schemas/" + m.file() + ")");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void theSchemaIsDraft202012AndDescribesEveryComponentWithACompatibleTypeAndNothingElse(Message m) {
        JsonNode tree = schemaTree(m);
        assertThat(tree.path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(tree.path("title").asText()).isEqualTo(m.type().getSimpleName());
        List<String> problems = new ArrayList<>();
        compareRecord(m.type(), tree, tree, m.type().getSimpleName(), m.writer(), problems);
        assertThat(problems).isEmpty();
    }

    /** Every component is a property of a compatible type; no property the record lacks; required as the writer guarantees. */
    private static void compareRecord(Class<?> type, JsonNode schema, JsonNode root, String path, Writer writer,
            List<String> problems) {
        if (!"object".equals(schema.path("type").asText())) {
            problems.add(path + ": schema type is not object");
            return;
        }
        JsonNode properties = schema.path("properties");
        Set<String> components = new TreeSet<>(wireComponents(type).keySet());
        Set<String> described = new TreeSet<>();
        properties.fieldNames().forEachRemaining(described::add);
        if (!described.equals(components)) {
            problems.add(path + ": properties " + described + " but the record has " + components);
        }
        Set<String> extraWritten = new TreeSet<>(alwaysWritten(type));
        extraWritten.removeAll(components);
        if (!extraWritten.isEmpty()) {
            problems.add(path + ": the Java writer adds " + extraWritten + ", which are no record components");
        }
        wireComponents(type).forEach((name, componentType) -> {
            if (properties.has(name)) {
                compareType(componentType, properties.get(name), root, path + "." + name, writer, problems);
            }
        });
        if (writer == Writer.ASKFLOW) {
            Set<String> required = new TreeSet<>();
            schema.path("required").forEach(r -> required.add(r.asText()));
            Set<String> always = new TreeSet<>(alwaysWritten(type));
            if (!required.equals(always)) {
                problems.add(path + ": required " + required + " but askflow always writes " + always);
            }
        }
    }

    /**
     * The record's components as the wire has them: an {@code @JsonUnwrapped} one (the envelope)
     * contributes its own, less those its {@code @JsonIgnoreProperties} leaves off (an answer's deadline).
     */
    private static Map<String, Type> wireComponents(Class<?> type) {
        Map<String, Type> out = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.getAccessor().isAnnotationPresent(JsonUnwrapped.class)) {
                Map<String, Type> inner = wireComponents(c.getType());
                JsonIgnoreProperties ignored = c.getAccessor().getAnnotation(JsonIgnoreProperties.class);
                if (ignored != null) {
                    inner.keySet().removeAll(Set.of(ignored.value()));
                }
                out.putAll(inner);
            } else {
                out.put(c.getName(), c.getGenericType());
            }
        }
        return out;
    }

    private static void compareType(Type type, JsonNode schema, JsonNode root, String path, Writer writer,
            List<String> problems) {
        JsonNode s = resolve(schema, root);
        Class<?> raw = raw(type);
        String jsonType = s.path("type").asText();
        if (raw == String.class) {
            expect(jsonType, "string", path, problems);
        } else if (raw == int.class || raw == long.class || raw == Integer.class || raw == Long.class) {
            expect(jsonType, "integer", path, problems);
        } else if (raw == boolean.class || raw == Boolean.class) {
            expect(jsonType, "boolean", path, problems);
        } else if (raw == double.class || raw == Double.class) {
            expect(jsonType, "number", path, problems);
        } else if (raw == Instant.class) {
            expect(jsonType, "string", path, problems);
            expect(s.path("format").asText(), "date-time", path + " format", problems);
        } else if (raw.isEnum()) {
            expect(jsonType, "string", path, problems);
            Set<String> inSchema = new TreeSet<>();
            s.path("enum").forEach(v -> inSchema.add(v.asText()));
            Set<String> wire = Arrays.stream(raw.getEnumConstants()).map(e -> Json.tree(Json.write(e)).asText())
                    .collect(Collectors.toCollection(TreeSet::new));
            if (!inSchema.equals(wire)) {
                problems.add(path + ": enum " + inSchema + " but " + raw.getSimpleName() + " writes " + wire);
            }
        } else if (Collection.class.isAssignableFrom(raw)) {
            expect(jsonType, "array", path, problems);
            compareType(argument(type, 0), s.path("items"), root, path + "[]", writer, problems);
        } else if (Map.class.isAssignableFrom(raw)) {
            expect(jsonType, "object", path, problems);
            if (argument(type, 0) != String.class) {
                problems.add(path + ": map keys must be strings");
            }
            compareType(argument(type, 1), s.path("additionalProperties"), root, path + "{}", writer, problems);
        } else if (raw.isRecord()) {
            compareRecord(raw, s, root, path, writer, problems);
        } else {
            problems.add(path + ": no JSON type known for " + type);
        }
    }

    private static void expect(String actual, String expected, String path, List<String> problems) {
        if (!expected.equals(actual)) {
            problems.add(path + ": '" + actual + "' where '" + expected + "' fits the record");
        }
    }

    private static JsonNode resolve(JsonNode schema, JsonNode root) {
        String ref = schema.path("$ref").asText("");
        return ref.startsWith("#") ? root.at(ref.substring(1)) : schema;
    }

    private static Class<?> raw(Type type) {
        return type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    }

    private static Type argument(Type type, int i) {
        return ((ParameterizedType) type).getActualTypeArguments()[i];
    }

    /** The properties present in the JSON of the emptiest instance the record's constructor allows. */
    private static Set<String> alwaysWritten(Class<?> type) {
        Set<String> names = new LinkedHashSet<>();
        Json.mapper().valueToTree(emptiest(type)).fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Nulls and zeros, except for components whose constructor insists (Objects.requireNonNull names them). */
    private static Object emptiest(Class<?> type) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = Arrays.stream(components).map(c -> zero(c.getType())).toArray();
        try {
            Constructor<?> canonical = type.getDeclaredConstructor(
                    Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
            for (int attempt = 0; attempt <= components.length; attempt++) {
                try {
                    return canonical.newInstance(args);
                } catch (InvocationTargetException e) {
                    String demanded = e.getCause() instanceof NullPointerException npe ? npe.getMessage() : null;
                    int i = IntStream.range(0, components.length).filter(k -> components[k].getName().equals(demanded))
                            .findFirst().orElseThrow(() -> new AssertionError("Cannot build " + type, e.getCause()));
                    args[i] = something(components[i].getType());
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("Cannot build an empty " + type.getSimpleName());
    }

    private static Object zero(Class<?> t) {
        return t == int.class ? 0 : t == long.class ? 0L : t == boolean.class ? false : t == double.class ? 0.0 : null;
    }

    private static Object something(Class<?> t) {
        if (t.isEnum()) {
            return t.getEnumConstants()[0];
        }
        if (t.isRecord()) {
            return emptiest(t);
        }
        if (t == String.class) {
            return "x";
        }
        if (t == Instant.class) {
            return NOW;
        }
        throw new AssertionError("No sample value for " + t);
    }

    // --- PromptRequest: the schema requires what the gateway requires, and both agree on samples ------

    private static final String FULL_REQUEST = """
            {"schemaVersion":1,"requestId":"r-1001","tenantId":"default","conversationId":"c-42","userId":"u-7",
             "prompt":"Summarise https://example.com/news","model":"gpt-4o-mini","timeZone":"Europe/Berlin",
             "deadline":"2026-11-26T09:00:00Z","metadata":{"caller":"billing"}}""";

    private boolean gatewayAccepts(String json) {
        return gateway.validate(json.getBytes(StandardCharsets.UTF_8), null, NOW) instanceof Verdict.Accepted;
    }

    @Test
    void aPromptRequestPropertyIsRequiredExactlyWhenTheGatewayRejectsARequestWithoutIt() {
        ObjectNode full = (ObjectNode) Json.tree(FULL_REQUEST);
        assertThat(gatewayAccepts(FULL_REQUEST)).isTrue();
        assertThat(errors(PromptRequest.class, FULL_REQUEST)).isEmpty();
        Set<String> required = new TreeSet<>();
        schemaTree(PUBLIC.get(0)).path("required").forEach(r -> required.add(r.asText()));
        Set<String> gatewayRequires = new TreeSet<>();
        for (Iterator<String> it = full.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            ObjectNode without = full.deepCopy();
            without.remove(field);
            if (!gatewayAccepts(without.toString())) {
                gatewayRequires.add(field);
            }
            assertThat(errors(PromptRequest.class, without.toString()).isEmpty()).as("schema accepts it without %s", field)
                    .isEqualTo(gatewayAccepts(without.toString()));
        }
        assertThat(required).isEqualTo(gatewayRequires).containsExactlyInAnyOrder("requestId", "prompt");
    }

    static Stream<String> requestSamples() {
        String many = IntStream.range(0, 33).mapToObj(i -> "\"k" + i + "\":\"v\"").collect(Collectors.joining(","));
        return Stream.of(
                "{\"requestId\":\"r1\",\"prompt\":\"hi\"}",
                "{\"requestId\":\"r1\",\"prompt\":\"hi\",\"somethingNewer\":{\"a\":1}}",
                "{\"requestId\":\"a b\",\"prompt\":\"hi\"}",
                "{\"requestId\":\"" + "r".repeat(129) + "\",\"prompt\":\"hi\"}",
                "{\"requestId\":\"" + "r".repeat(128) + "\",\"prompt\":\"hi\"}",
                "{\"requestId\":\"r1\",\"prompt\":\"hi\",\"conversationId\":\"../x\"}",
                "{\"requestId\":\"r1\",\"prompt\":\"hi\",\"userId\":\"u@example.com\"}",
                "{\"requestId\":\"r1\",\"prompt\":\"   \"}",
                "{\"requestId\":\"r1\",\"prompt\":\"\"}",
                "{\"requestId\":\"r1\",\"prompt\":\"hi\",\"model\":\"gpt 4\"}",
                "{\"requestId\":\"r1\",\"prompt\":\"hi\",\"model\":\"openai/gpt-4o\"}",
                "{\"schemaVersion\":2,\"requestId\":\"r1\",\"prompt\":\"hi\"}",
                "{\"requestId\":\"r1\",\"prompt\":\"hi\",\"metadata\":{" + many + "}}",
                "{\"requestId\":\"r1\",\"prompt\":{\"text\":\"hi\"}}",
                "{\"requestId\":\"r1\",\"prompt\":\"hi\",\"deadline\":\"tomorrow\"}",
                "{\"requestId\":\"r1\",\"prompt\":\"And now?\",\"history\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                        + "{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello!\"}]}",
                "{\"requestId\":\"r1\",\"prompt\":\"hi\",\"history\":[{\"role\":\"tool\",\"content\":\"42\"}]}",
                "{\"requestId\":\"r1\",\"prompt\":\"hi\",\"history\":[{\"role\":\"user\"}]}",
                "{\"requestId\":\"r1\",\"prompt\":\"hi\",\"history\":{\"role\":\"user\",\"content\":\"x\"}}",
                "[\"requestId\",\"prompt\"]");
    }

    @ParameterizedTest
    @MethodSource("requestSamples")
    void theSchemaAndTheGatewayAgreeOnWhatIsAValidRequest(String json) {
        List<String> problems = errors(PromptRequest.class, json);
        assertThat(problems.isEmpty()).as("schema says %s", problems).isEqualTo(gatewayAccepts(json));
    }

    @Test
    void wrongTypesAreOutsideTheSchemas() {
        assertThat(errors(PromptRequest.class, "{\"requestId\":42,\"prompt\":\"hi\"}")).isNotEmpty();
        assertThat(errors(PromptRequest.class, "{\"requestId\":\"r1\",\"prompt\":\"hi\",\"schemaVersion\":\"1\"}")).isNotEmpty();
        assertThat(errors(PromptRequest.class, "{\"requestId\":\"r1\",\"prompt\":\"hi\",\"metadata\":{\"a\":1}}")).isNotEmpty();
        String answer = Json.writeString(Answer.error("r1", "default", "c1", "u1", ErrorCode.INTERNAL, "boom", NOW));
        assertThat(errors(Answer.class, answer)).isEmpty();
        assertThat(errors(Answer.class, answer.replace("\"internal\"", "\"no_such_code\""))).isNotEmpty();
        assertThat(errors(Answer.class, answer.replace("\"status\":\"error\"", "\"status\":\"ok\""))).as("ok without text")
                .isNotEmpty();
        assertThat(errors(Answer.class, answer.replace("\"toolRounds\":0", "\"toolRounds\":\"0\""))).isNotEmpty();
        assertThat(errors(DocumentUpload.class, "{\"documentId\":\"d-1\",\"title\":\"no content\"}")).isNotEmpty();
        assertThat(errors(JobEvent.class, "{\"schemaVersion\":1,\"total\":1,\"done\":0,\"failed\":0,\"status\":\"paused\"}"))
                .isNotEmpty();
    }

    // --- What askflow writes validates ----------------------------------------------------------

    @Test
    void everyMessageAsAskflowWritesItValidates() {
        Answer ok = Answer.builder().envelope(envelope().jobId("job-1").build()).status(Answer.Status.OK)
                .text("Today is Thursday [1].")
                .sources(List.of(Source.url(1, "https://example.com", "Example"), new Source(2, "document", null, "Q3", "doc-1")))
                .usage(new Usage(412, 31, 443)).toolRounds(1).model("gpt-4o-mini").createdAt(NOW)
                .metadata(Map.of("model.notice", "offline")).build();
        assertThat(errors(Answer.class, Json.writeString(ok))).isEmpty();
        for (ErrorCode code : ErrorCode.values()) {
            Answer failed = Answer.builder().envelope(envelope().build()).status(Answer.Status.ERROR)
                    .error(new AnswerError(code, "why")).createdAt(NOW).build();
            assertThat(errors(Answer.class, Json.writeString(failed))).as(code.wire()).isEmpty();
        }
        assertThat(errors(Answer.class, Json.writeString(Answer.error(null, null, null, null, ErrorCode.INVALID_REQUEST,
                "The request is not valid JSON", NOW)))).isEmpty();
        assertThat(errors(JobEvent.class, Json.writeString(new JobEvent(1, "job-1", "acme", "running", 3, 1, 0, "doc-1",
                "r1", NOW)))).isEmpty();
        assertThat(errors(JobEvent.class, Json.writeString(new JobEvent(1, "job-1", "acme", "finished", 3, 2, 1, null,
                null, NOW)))).isEmpty();
        TurnEvent delta = TurnEvent.of(ok, 1_764_583_200_000_001L, TurnEvent.Kind.DELTA, 0, 0, NOW).withText("Today");
        assertThat(errors(TurnEvent.class, Json.writeString(delta))).isEmpty();
        assertThat(errors(TurnEvent.class, Json.writeString(TurnEvent.of(ok, 2, TurnEvent.Kind.PROGRESS, 1, 0, NOW)
                .withStep(TurnEvent.Step.TOOL_STARTED, "fetch_url", "https://example.com")))).isEmpty();
        assertThat(errors(TurnEvent.class, Json.writeString(TurnEvent.answer(ok, 3, 1, NOW)))).isEmpty();
        assertThat(errors(TurnEvent.class, Json.writeString(TurnEvent.answer(Answer.builder().envelope(envelope().build())
                .status(Answer.Status.ERROR).error(new AnswerError(ErrorCode.MODEL_ERROR, "why")).createdAt(NOW).build(),
                4, 0, NOW)))).isEmpty();
        assertThat(errors(TurnEvent.class, Json.writeString(delta).replace("\"delta\"", "\"chunk\""))).isNotEmpty();
        assertThat(errors(DocumentUpload.class, Json.writeString(new DocumentUpload(1, "d-1", "acme", "u-7", "Q3",
                "text/plain", "Revenue rose.", null)))).isEmpty();
        assertThat(errors(PromptRequest.class, Json.writeString(PromptRequest.builder().requestId("r1")
                .conversationId("c1").prompt("hi").metadata(Map.of("a", "b")).deadline(NOW).build()))).isEmpty();
    }

    private static Envelope.Builder envelope() {
        return Envelope.builder().requestId("r1").tenantId("acme").conversationId("c1").userId("u1");
    }

    // --- The README's samples validate ----------------------------------------------------------

    @Test
    void theReadmesMessageSamplesValidate() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Map<Class<?>, List<String>> samples = new HashMap<>();
        Matcher block = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        while (block.find()) {
            String json = block.group(1);
            Class<?> type = json.contains("\"prompt\"") ? PromptRequest.class
                    : json.contains("\"status\"") ? Answer.class : null;
            if (type != null) {
                samples.computeIfAbsent(type, k -> new ArrayList<>()).add(json);
            }
        }
        Matcher inline = Pattern.compile("`(\\{\"documentId\".*?})`").matcher(readme);
        while (inline.find()) {
            samples.computeIfAbsent(DocumentUpload.class, k -> new ArrayList<>()).add(inline.group(1));
        }
        assertThat(samples).containsOnlyKeys(PromptRequest.class, Answer.class, DocumentUpload.class);
        samples.forEach((type, jsons) -> jsons.forEach(json ->
                assertThat(errors(type, json)).as("README %s sample %s", type.getSimpleName(), json).isEmpty()));
    }
}
