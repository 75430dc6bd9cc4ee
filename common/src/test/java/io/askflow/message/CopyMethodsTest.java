package io.askflow.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every method that copies a message record with some components changed keeps all the others.
 * The methods are found by reflection, so a new copy method fails here until it is listed with the
 * components it may change, and a new component fails here until the full samples set it: the next
 * field a copy forgets (as {@code withMetadata} once forgot {@code jobId} and {@code responseFormat})
 * is caught.
 */
class CopyMethodsTest {
    private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");
    private static final ResponseFormat FORMAT = new ResponseFormat("invoice", Json.tree("{\"type\":\"object\"}"));
    private static final ToolCall CALL = new ToolCall("call-1", "current_time", "{}");

    /** One copy method: how the test calls it, and the components it is meant to change. */
    private record Copy<T>(String method, UnaryOperator<T> invoke, Set<String> changes) {
    }

    /** Every envelope field set, deadline included, so a copy that loses one is seen. */
    static Envelope fullEnvelope() {
        return new Envelope(7, "req-1", "tenant-1", "conv-1", "user-1", "job-1", T.plusSeconds(60));
    }

    static ModelCall fullModelCall() {
        return ModelCall.builder().envelope(fullEnvelope()).model("model-1").round(2)
                .messages(List.of(ChatMessage.user("hi"), ChatMessage.assistantCalling("", List.of(CALL))))
                .tools(List.of(new ToolSpec("current_time", "the time", Json.tree("{\"type\":\"object\"}"))))
                .sources(List.of(Source.url(1, "https://example.com", "Example"))).usage(new Usage(1, 2, 3))
                .metadata(Map.of("k", "v")).responseFormat(FORMAT).build();
    }

    static Turn fullTurn() {
        return Turn.builder().envelope(fullEnvelope()).prompt("prompt").model("model-1").timeZone("Europe/Paris")
                .acceptedAt(T).metadata(Map.of("k", "v")).sequence(5).responseFormat(FORMAT)
                .history(List.of(new HistoryMessage("user", "earlier"))).build();
    }

    /** An answer has no deadline (its constructor drops it), so the full sample's envelope has none. */
    static Answer fullAnswer() {
        return Answer.builder().envelope(fullEnvelope().toBuilder().deadline(null).build()).status(Answer.Status.ERROR)
                .text("text").error(new AnswerError(ErrorCode.INTERNAL, "m"))
                .sources(List.of(Source.url(1, "https://example.com", "Example"))).usage(new Usage(1, 2, 3))
                .toolRounds(2).model("model-1").createdAt(T).metadata(Map.of("k", "v")).build();
    }

    @Test
    void modelCallCopiesKeepEveryOtherComponent() throws Exception {
        check(ModelCall.class, fullModelCall(), List.of(
                new Copy<>("withReply", c -> c.withReply(ChatMessage.assistant("reply"), new Usage(10, 10, 20)),
                        Set.of("messages", "usage")),
                new Copy<>("nextRound", c -> c.nextRound(List.of(ChatMessage.toolResult(CALL, "12:00")),
                        List.of(Source.url(2, "https://example.org", "Other"))), Set.of("messages", "round", "sources")),
                new Copy<>("withMetadata", c -> c.withMetadata(MetadataKeys.BUDGET_EXHAUSTED, "tool rounds"),
                        Set.of("metadata"))));
    }

    @Test
    void turnCopiesKeepEveryOtherComponent() throws Exception {
        check(Turn.class, fullTurn(), List.of(new Copy<>("withSequence", t -> t.withSequence(9), Set.of("sequence"))));
    }

    @Test
    void answerCopiesKeepEveryOtherComponent() throws Exception {
        check(Answer.class, fullAnswer(), List.of(new Copy<>("withJobId", a -> a.withJobId("job-2"), Set.of("jobId"))));
    }

    @Test
    void toBuilderCopiesEveryComponent() throws Exception {
        assertThat(fullModelCall().toBuilder().build()).isEqualTo(fullModelCall());
        assertThat(fullTurn().toBuilder().build()).isEqualTo(fullTurn());
        assertThat(fullAnswer().toBuilder().build()).isEqualTo(fullAnswer());
        assertThat(fullEnvelope().toBuilder().build()).isEqualTo(fullEnvelope());
        assertThat(fields(fullEnvelope()).values()).as("the full envelope sets every field").allMatch(CopyMethodsTest::isSet);
    }

    private static <T extends Record> void check(Class<T> type, T full, List<Copy<T>> copies) throws Exception {
        for (Map.Entry<String, Object> f : fields(full).entrySet()) {
            if (!(type == Answer.class && f.getKey().equals("deadline"))) {
                assertThat(isSet(f.getValue())).as("the full %s sample sets %s", type.getSimpleName(), f.getKey()).isTrue();
            }
        }
        Set<String> copyMethods = Arrays.stream(type.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()))
                .filter(m -> m.getReturnType() == type).map(Method::getName).collect(Collectors.toSet());
        assertThat(copies.stream().map(Copy::method).collect(Collectors.toSet()))
                .as("every copy method of %s is listed here with what it changes", type.getSimpleName())
                .isEqualTo(copyMethods);
        for (Copy<T> copy : copies) {
            T copied = copy.invoke().apply(full);
            Map<String, Object> before = fields(full);
            Map<String, Object> after = fields(copied);
            for (String name : before.keySet()) {
                if (copy.changes().contains(name)) {
                    assertThat(after.get(name)).as("%s.%s changes %s", type.getSimpleName(), copy.method(), name)
                            .isNotEqualTo(before.get(name));
                } else {
                    assertThat(after.get(name)).as("%s.%s keeps %s", type.getSimpleName(), copy.method(), name)
                            .isEqualTo(before.get(name));
                }
            }
            // And the copy survives the wire: what a copy keeps, the next service also sees.
            assertThat(Json.read(Json.write(copied), type)).as("%s after %s, through JSON", type.getSimpleName(), copy.method())
                    .isEqualTo(copied);
        }
    }

    /** A record's fields as the wire has them: an {@code @JsonUnwrapped} component (the envelope) contributes its own. */
    private static Map<String, Object> fields(Record r) throws ReflectiveOperationException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent rc : r.getClass().getRecordComponents()) {
            Object value = rc.getAccessor().invoke(r);
            if (rc.getAccessor().isAnnotationPresent(JsonUnwrapped.class)) {
                out.putAll(fields((Record) value));
            } else {
                out.put(rc.getName(), value);
            }
        }
        return out;
    }

    /** Not null, not empty, not zero: a sample component that could hide a dropped field. */
    private static boolean isSet(Object value) {
        return switch (value) {
            case null -> false;
            case Number n -> n.longValue() != 0;
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case Usage u -> !u.equals(Usage.ZERO);
            default -> true;
        };
    }
}
