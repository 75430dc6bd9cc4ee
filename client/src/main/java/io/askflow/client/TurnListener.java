package io.askflow.client;

import io.askflow.message.Answer;
import io.askflow.message.TurnEvent;

/**
 * Follows turns: {@link AskflowClient#subscribe(String, TurnListener)} for one request's answer,
 * {@link AskflowClient#follow(String, TurnListener)} for its turn events and then its answer, or
 * {@link AskflowClient#subscribe(TurnListener)} for every answer the client reads. Callbacks of one
 * client run one at a time, in the order they were read, on its callback executor.
 *
 * <p>Further kinds of turn events are added as methods with empty defaults, so a listener written
 * against this version keeps compiling and working.
 */
@FunctionalInterface
public interface TurnListener {
    /** The turn's one answer; for a single-request subscription the last callback. */
    void onAnswer(Answer answer);

    /**
     * A turn event ({@code delta}, {@code progress}, {@code retry}) of a request followed with
     * {@link AskflowClient#follow(String, TurnListener)}, in seq order, each seq once, all before
     * {@link #onAnswer}. The topic's own {@code answer} event is not passed on: the committed answer
     * takes its place. {@link TurnText} gives the text so far.
     */
    default void onEvent(TurnEvent event) {
    }

    /**
     * The subscription ends without (further) answers: {@link AnswerTimeoutException} for a
     * single-request subscription that waited too long, {@link ClientClosedException} when the
     * client closed.
     */
    default void onFailure(AskflowClientException failure) {
    }
}
