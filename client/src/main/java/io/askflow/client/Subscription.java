package io.askflow.client;

/** A registered {@link TurnListener}; closing it stops further callbacks (one already running finishes). */
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
