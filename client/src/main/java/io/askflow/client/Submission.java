package io.askflow.client;

import io.askflow.message.Answer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A request the broker has acknowledged, with the ids it travels under and its coming answer.
 * The answer is an {@link Answer} also when askflow refused or failed the request (status
 * {@code error}, with an {@link io.askflow.message.ErrorCode}); the future fails only with an
 * {@link AskflowClientException} (timeout, client closed).
 */
public final class Submission {
    private final String requestId;
    private final String conversationId;
    private final int partition;
    private final long offset;
    private final CompletableFuture<Answer> answer;
    private final Duration answerTimeout;

    Submission(String requestId, String conversationId, int partition, long offset, CompletableFuture<Answer> answer,
            Duration answerTimeout) {
        this.requestId = requestId;
        this.conversationId = conversationId;
        this.partition = partition;
        this.offset = offset;
        this.answer = answer;
        this.answerTimeout = answerTimeout;
    }

    public String requestId() {
        return requestId;
    }

    /** The request's conversation: the one it named, or the one the client started for it. */
    public String conversationId() {
        return conversationId;
    }

    /** Where the request was written on {@code askflow.requests}. */
    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    /** Completes with the answer, or fails after {@link ClientOptions#answerTimeout()}. Completing or cancelling it affects no one else. */
    public CompletableFuture<Answer> answer() {
        return answer;
    }

    /** Blocks until the answer arrives or {@link ClientOptions#answerTimeout()} passes. */
    public Answer await() {
        return await(answerTimeout);
    }

    /**
     * Blocks until the answer arrives or {@code timeout} passes.
     *
     * @throws AnswerTimeoutException when {@code timeout} passes first (the answer may still come:
     *     {@link #answer()} keeps waiting)
     * @throws ClientClosedException when the client closed first
     */
    public Answer await(Duration timeout) {
        try {
            return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AnswerTimeoutException(requestId, timeout);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AskflowClientException failure) {
                throw failure;
            }
            throw new AskflowClientException("Waiting for the answer to " + requestId + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AskflowClientException("Interrupted while waiting for the answer to " + requestId, e);
        } catch (java.util.concurrent.CancellationException e) {
            throw new AskflowClientException("The answer future of " + requestId + " was cancelled", e);
        }
    }

    @Override
    public String toString() {
        return "Submission[requestId=" + requestId + ", conversationId=" + conversationId + ", partition=" + partition
                + ", offset=" + offset + "]";
    }
}
