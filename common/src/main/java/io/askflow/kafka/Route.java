package io.askflow.kafka;

import java.util.Objects;

/** Which handler consumes which topic, what to publish when it fails, and in which order its records run. */
public record Route<T>(TopicSpec<T> topic, Handler<T> handler, FailureHandler<T> onFailure, Ordering ordering) {

    public Route {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(ordering, "ordering");
    }

    /** A route whose failures go to the dead-letter topic. */
    public static <T> Route<T> of(TopicSpec<T> topic, Handler<T> handler) {
        return new Route<>(topic, handler, null, Ordering.UNORDERED);
    }

    public static <T> Route<T> of(TopicSpec<T> topic, Handler<T> handler, FailureHandler<T> onFailure) {
        return new Route<>(topic, handler, onFailure, Ordering.UNORDERED);
    }

    /** This route with its records of one key handled one after another, in offset order ({@link Ordering#KEY}). */
    public Route<T> keyOrdered() {
        return new Route<>(topic, handler, onFailure, Ordering.KEY);
    }
}
