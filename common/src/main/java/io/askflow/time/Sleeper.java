package io.askflow.time;

import java.time.Duration;

/** Waiting, behind an interface, so that backoff and pauses can be tested without sleeping. */
@FunctionalInterface
public interface Sleeper {
    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis());

    void sleep(Duration duration) throws InterruptedException;
}
