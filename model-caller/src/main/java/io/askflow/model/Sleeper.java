package io.askflow.model;

import java.time.Duration;

/** Waiting, behind an interface, so that backoff can be tested without sleeping. */
@FunctionalInterface
public interface Sleeper {
    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis());

    void sleep(Duration duration) throws InterruptedException;
}
