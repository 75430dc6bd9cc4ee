package io.askflow.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
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

    static ModelCall fullModelCall() {
        return new ModelCall(7, "req-1", "tenant-1", "conv-1", "user-1", "model-1", 2, T.plusSeconds(60),
                List.of(ChatMessage.user("hi"), ChatMessage.assistantCalling("", List.of(CALL))),
                List.of(new ToolSpec("current_time", "the time", Json.tree("{\"type\":\"object\"}"))),
                List.of(Source.url(1, "https://example.com", "Example")), new Usage(1, 2, 3), Map.of("k", "v"),
                "job-1", FORMAT);
    }

    static Turn fullTurn() {
        return new Turn(7, "req-1", "tenant-1", "conv-1", "user-1", "prompt", "model-1", "Europe/Paris", T,
                T.plusSeconds(60), Map.of("k", "v"), 5, "job-1", FORMAT);
    }

    static Answer fullAnswer() {
        return new Answer(7, "req-1", "tenant-1", "conv-1", "user-1", Answer.Status.ERROR, "text",
                new AnswerError(ErrorCode.INTERNAL, "m"), List.of(Source.url(1, "https://example.com", "Example")),
                new Usage(1, 2, 3), 2, "model-1", T, Map.of("k", "v"), "job-1");
    }

    @Test
    void modelCallCopiesKeepEveryOtherComponent() throws Exception {
        check(ModelCall.class, fullModelCall(), List.of(
                new Copy<>("withReply", c -> c.withReply(ChatMessage.assistant("reply"), new Usage(10, 10, 20)),
                        Set.of("messages", "usage")),
                new Copy<>("nextRound", c -> c.nextRound(List.of(ChatMessage.toolResult(CALL, "12:00")),
                        List.of(Source.url(2, "https://example.org", "Other"))), Set.of("messages", "round", "sources")),
                new Copy<>("withMetadata", c -> c.withMetadata(ModelCall.BUDGET_EXHAUSTED, "tool rounds"),
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

    private static <T extends Record> void check(Class<T> type, T full, List<Copy<T>> copies) throws Exception {
        for (RecordComponent rc : type.getRecordComponents()) {
            assertThat(isSet(rc.getAccessor().invoke(full))).as("the full %s sample sets %s", type.getSimpleName(), rc.getName())
                    .isTrue();
        }
        Set<String> copyMethods = Arrays.stream(type.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()))
                .filter(m -> m.getReturnType() == type).map(Method::getName).collect(Collectors.toSet());
        assertThat(copies.stream().map(Copy::method).collect(Collectors.toSet()))
                .as("every copy method of %s is listed here with what it changes", type.getSimpleName())
                .isEqualTo(copyMethods);
        for (Copy<T> copy : copies) {
            T copied = copy.invoke().apply(full);
            for (RecordComponent rc : type.getRecordComponents()) {
                Object before = rc.getAccessor().invoke(full);
                Object after = rc.getAccessor().invoke(copied);
                if (copy.changes().contains(rc.getName())) {
                    assertThat(after).as("%s.%s changes %s", type.getSimpleName(), copy.method(), rc.getName())
                            .isNotEqualTo(before);
                } else {
                    assertThat(after).as("%s.%s keeps %s", type.getSimpleName(), copy.method(), rc.getName())
                            .isEqualTo(before);
                }
            }
            // And the copy survives the wire: what a copy keeps, the next service also sees.
            assertThat(Json.read(Json.write(copied), type)).as("%s after %s, through JSON", type.getSimpleName(), copy.method())
                    .isEqualTo(copied);
        }
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
