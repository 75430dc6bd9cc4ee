package io.askflow.client;

import io.askflow.message.Answer;

/**
 * Follows turns: {@link AskflowClient#subscribe(String, TurnListener)} for one request, or
 * {@link AskflowClient#subscribe(TurnListener)} for every answer the client reads. Callbacks of one
 * client run one at a time, in the order the answers were read, on its callback executor.
 *
 * <p>Further kinds of turn events are added as methods with empty defaults, so a listener written
 * against this version keeps compiling and working.
 */
@FunctionalInterface
public interface TurnListener {
    /** The turn's one answer; for a single-request subscription the last callback. */
    void onAnswer(Answer answer);

    /**
     * The subscription ends without (further) answers: {@link AnswerTimeoutException} for a
     * single-request subscription that waited too long, {@link ClientClosedException} when the
     * client closed.
     */
    default void onFailure(AskflowClientException failure) {
    }
}
