package io.askflow.localmodel;

import java.util.Optional;

/**
 * Decides what the model "says". Kept separate from {@link ChatCompletionsServer} so the same
 * wire-format rendering serves both the offline {@link LocalModel} and scripted test backends.
 *
 * <p>Implementations may be called concurrently from several virtual threads.
 */
@FunctionalInterface
public interface ChatBackend {

    Reply reply(ChatRequest request);

    /**
     * The model name put into responses. Empty means "echo the requested model", which is what a
     * scripted stand-in for OpenAI should do; a real fallback model should name itself instead.
     */
    default Optional<String> servedModel() {
        return Optional.empty();
    }

    /** Lets clients (and people reading logs) tell which server actually answered. */
    default String systemFingerprint() {
        return "askflow-local-server";
    }
}
