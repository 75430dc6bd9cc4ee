package io.askflow.model;

import io.askflow.message.ChatMessage;
import io.askflow.message.ModelCall;
import io.askflow.message.Usage;

/**
 * The model, behind an interface: the handler decides what to ask and what to do with the reply;
 * an implementation only speaks a wire protocol. Failures are thrown as {@link ModelFailure}, already
 * classified.
 */
public interface ChatModel {

    /** What one model call produced. {@code systemFingerprint} may be null. */
    record Reply(ChatMessage message, Usage usage, String model, String systemFingerprint) {
    }

    /**
     * @param model the model to ask (the request's or the configured default)
     * @param offerTools false on the last allowed round, so the model must answer in text
     */
    Reply complete(ModelCall call, String model, boolean offerTools);

    /** Receives a streamed reply's text as it arrives. */
    @FunctionalInterface
    interface Deltas {
        Deltas NONE = piece -> { };

        void text(String piece);
    }

    /**
     * The same call, streamed where the implementation can: {@code deltas} gets the text as the
     * model writes it, and the reply is returned when the stream is complete. A failure after some
     * text was passed on is thrown like any other; the caller decides what the text already passed on means.
     */
    default Reply complete(ModelCall call, String model, boolean offerTools, Deltas deltas) {
        return complete(call, model, offerTools);
    }
}
