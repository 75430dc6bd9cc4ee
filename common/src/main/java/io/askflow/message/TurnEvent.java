package io.askflow.message;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * What a turn is doing, as it happens, on {@code askflow.answer-deltas} (keyed by conversation).
 * Published without waiting for the turn's Kafka transaction, so a reader sees text while the model
 * writes it; the exactly-once answer stays the one on {@code askflow.answers}, and a reader
 * reconciles with it (docs/architecture.md, "Turn events").
 *
 * <p>{@code seq} orders the events of one turn and is strictly increasing across the whole turn,
 * tool rounds and retries included (see {@code io.askflow.kafka.TurnEventPublisher} for how it stays
 * so across instances and restarts). It is not dense: readers must not expect {@code seq + 1}.
 *
 * @param kind what happened
 * @param round the tool round the event belongs to (0 for the first model call)
 * @param attempt which attempt of that round's model call (0 for the first; a {@code retry} names the new one)
 * @param step for {@code progress}: which step started or finished
 * @param tool for tool progress: the tool's name
 * @param detail a short human-readable detail: the URL or query of a tool, the reason of a retry
 * @param text for {@code delta}: the text that just arrived; for {@code answer}: the answer's text
 * @param error for an {@code answer} that failed: its code and message
 */
public record TurnEvent(int schemaVersion, String requestId, String tenantId, String conversationId, long seq, Kind kind,
        int round, int attempt, Step step, String tool, String detail, String text, AnswerError error, Instant at) {

    public TurnEvent {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(kind, "kind");
    }

    public enum Kind {
        /** A piece of the model's text. */
        DELTA,
        /** A step started or finished: a model call, a tool. */
        PROGRESS,
        /** A model call is repeated (after a failure mid-stream, a 429, or a model-caller restart): the text
         * of this round's earlier attempt is superseded. */
        RETRY,
        /** The turn's answer; the last event of a turn. */
        ANSWER;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Step {
        MODEL_CALL, TOOL_STARTED, TOOL_FINISHED;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The event's identity fields for a message of the turn; the rest is set by the factories below. */
    public static TurnEvent of(AskflowMessage turn, long seq, Kind kind, int round, int attempt, Instant at) {
        return new TurnEvent(AskflowMessage.CURRENT_SCHEMA_VERSION, turn.requestId(), turn.tenantId(),
                turn.conversationId(), seq, kind, round, attempt, null, null, null, null, null, at);
    }

    public TurnEvent withStep(Step s, String toolName, String detailText) {
        return new TurnEvent(schemaVersion, requestId, tenantId, conversationId, seq, kind, round, attempt, s, toolName,
                detailText, text, error, at);
    }

    public TurnEvent withText(String value) {
        return new TurnEvent(schemaVersion, requestId, tenantId, conversationId, seq, kind, round, attempt, step, tool,
                detail, value, error, at);
    }

    public TurnEvent withError(AnswerError value) {
        return new TurnEvent(schemaVersion, requestId, tenantId, conversationId, seq, kind, round, attempt, step, tool,
                detail, text, value, at);
    }

    public TurnEvent withSeq(long value) {
        return new TurnEvent(schemaVersion, requestId, tenantId, conversationId, value, kind, round, attempt, step, tool,
                detail, text, error, at);
    }

    /** The answer event for an answer: its text when ok, its error otherwise. */
    public static TurnEvent answer(Answer answer, long seq, int round, Instant at) {
        return of(answer, seq, Kind.ANSWER, round, 0, at).withText(answer.text()).withError(answer.error());
    }
}
