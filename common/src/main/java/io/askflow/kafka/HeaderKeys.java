package io.askflow.kafka;

/**
 * Every Kafka record header askflow reads or writes, declared once. Header names are part of the
 * wire contract (README, "Dead letters" and "Tracing"), so a rename here is a breaking change.
 */
public final class HeaderKeys {
    /** W3C trace context; the runner copies it from each input onto that input's outputs. */
    public static final String TRACEPARENT = "traceparent";

    /** Marks an answer a pipeline stage published for a turn it ran (see {@link TurnAnswer}). */
    public static final String TURN_ANSWER = "askflow.turn-answer";

    /** Prefix of the headers a dead letter gains; a republished record drops them again. */
    public static final String DLQ_PREFIX = "askflow.dlq.";
    public static final String DLQ_TOPIC = DLQ_PREFIX + "topic";
    public static final String DLQ_PARTITION = DLQ_PREFIX + "partition";
    public static final String DLQ_OFFSET = DLQ_PREFIX + "offset";
    public static final String DLQ_TIMESTAMP = DLQ_PREFIX + "timestamp";
    public static final String DLQ_EXCEPTION_CLASS = DLQ_PREFIX + "exception.class";
    public static final String DLQ_EXCEPTION_MESSAGE = DLQ_PREFIX + "exception.message";

    /** Set by {@code ./askflow dead-letters republish}: {@code partition:offset} of the dead letter. */
    public static final String REPUBLISHED_FROM = "askflow.republished-from";

    /**
     * On askflow.model-calls and askflow.tool-calls: the highest turn-event seq the turn has used so
     * far, so the next stage's events number on from it whatever its clock says (TurnEventPublisher).
     */
    public static final String TURN_EVENT_SEQ = "askflow.turn-event-seq";

    private HeaderKeys() {
    }
}
