package io.askflow.kafka;

import java.util.List;

/**
 * Turns a handler's failure into records, typically a coded error answer, so that a request whose
 * processing failed still ends with an answer. When this also fails, the record is dead-lettered.
 */
@FunctionalInterface
public interface FailureHandler<T> {
    List<Outgoing> onFailure(Incoming<T> in, Exception error) throws Exception;
}
