package io.askflow.kafka;

import io.askflow.message.Answer;
import io.askflow.message.ModelCall;
import io.askflow.message.PromptRequest;
import io.askflow.message.Turn;
import java.util.List;
import java.util.Map;

/**
 * The topic catalogue. Every topic is keyed by conversation id, so one conversation stays in one
 * partition and its messages keep their order.
 */
public final class Topics {
    private Topics() {
    }

    private static final Map<String, String> WEEK = Map.of("retention.ms", Long.toString(7L * 24 * 3600 * 1000));

    /** Prompts as backends submit them; validated by the gateway. Raw bytes, so malformed JSON can be answered. */
    public static final TopicSpec<byte[]> REQUESTS = new TopicSpec<>("askflow.requests", byte[].class,
            "Prompts submitted by backends (PromptRequest JSON).", WEEK);
    public static final TopicSpec<Turn> TURNS = new TopicSpec<>("askflow.turns", Turn.class,
            "Accepted turns, ready for context building.", WEEK);
    public static final TopicSpec<ModelCall> MODEL_CALLS = new TopicSpec<>("askflow.model-calls", ModelCall.class,
            "Turns ready for the model, with their full transcript.", WEEK);
    public static final TopicSpec<ModelCall> TOOL_CALLS = new TopicSpec<>("askflow.tool-calls", ModelCall.class,
            "Turns whose last message asks for tools.", WEEK);
    public static final TopicSpec<Answer> ANSWERS = new TopicSpec<>("askflow.answers", Answer.class,
            "Exactly one answer or coded error per accepted request.", WEEK);
    public static final TopicSpec<byte[]> DOCUMENTS = new TopicSpec<>("askflow.documents", byte[].class,
            "Documents pushed by batch jobs.", WEEK);
    /** Progress of batch jobs (JobEvent JSON), keyed by job id. */
    public static final TopicSpec<io.askflow.message.JobEvent> JOB_EVENTS = new TopicSpec<>("askflow.job-events",
            io.askflow.message.JobEvent.class, "Batch-job progress: total, done and failed after each result.", WEEK);
    /** Erasure requests (Deletion JSON), keyed by tenant: every service erases what it stores. */
    public static final TopicSpec<io.askflow.message.Deletion> DELETIONS = new TopicSpec<>("askflow.deletions",
            io.askflow.message.Deletion.class, "Requests to erase a conversation or a user everywhere.", WEEK);
    /** Records no stage could read, with headers naming where they came from and why they failed. */
    public static final TopicSpec<byte[]> DEAD_LETTERS = new TopicSpec<>("askflow.dead-letters", byte[].class,
            "Records that could not be decoded or processed, with their origin in headers.",
            Map.of("retention.ms", Long.toString(30L * 24 * 3600 * 1000)));

    /**
     * What each turn is doing while it runs (TurnEvent JSON: text deltas, progress, retries, the answer),
     * keyed by conversation. Written without transactions so readers (read_uncommitted) see text as
     * the model writes it; a day's retention, since the exactly-once answer stays on {@link #ANSWERS}.
     */
    public static final TopicSpec<io.askflow.message.TurnEvent> ANSWER_DELTAS = new TopicSpec<>("askflow.answer-deltas",
            io.askflow.message.TurnEvent.class, "Turn events as they happen: text deltas, progress, retries, the answer.",
            Map.of("retention.ms", Long.toString(24L * 3600 * 1000)));

    public static List<TopicSpec<?>> all() {
        return List.of(REQUESTS, TURNS, MODEL_CALLS, TOOL_CALLS, ANSWERS, DOCUMENTS, DEAD_LETTERS, JOB_EVENTS, DELETIONS,
                ANSWER_DELTAS);
    }
}
