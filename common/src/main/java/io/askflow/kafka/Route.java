package io.askflow.kafka;

import java.util.Objects;

/** Which handler consumes which topic, and what to publish when it fails. */
public record Route<T>(TopicSpec<T> topic, Handler<T> handler, FailureHandler<T> onFailure) {

    public Route {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(handler, "handler");
    }

    /** A route whose failures go to the dead-letter topic. */
    public static <T> Route<T> of(TopicSpec<T> topic, Handler<T> handler) {
        return new Route<>(topic, handler, null);
    }

    public static <T> Route<T> of(TopicSpec<T> topic, Handler<T> handler, FailureHandler<T> onFailure) {
        return new Route<>(topic, handler, onFailure);
    }
}
