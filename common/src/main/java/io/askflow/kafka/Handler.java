package io.askflow.kafka;

import java.util.List;

/**
 * The only thing a service writes to consume a topic: turn one record into the records it causes.
 * The runner publishes them and only then counts the input as done, so an input is never committed
 * before its consequences are durable.
 */
@FunctionalInterface
public interface Handler<T> {
    List<Outgoing> handle(Incoming<T> in) throws Exception;
}
