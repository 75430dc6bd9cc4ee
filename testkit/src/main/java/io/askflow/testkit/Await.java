package io.askflow.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The one way tests wait for something: poll until it holds, and when it does not hold in time,
 * fail with what was awaited and the last value seen. A wait that gives up quietly lets the next
 * assertion fail for a reason that names nothing, or pass on a state that was never reached.
 */
public final class Await {
    private static final Duration FIRST_PAUSE = Duration.ofMillis(10);
    private static final Duration LONGEST_PAUSE = Duration.ofMillis(200);

    /** What a test polls: may throw (a table not created yet, a server not up), which counts as "not yet". */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    private Await() {
    }

    /** Polls {@code probe} until it returns true. */
    public static void until(String whatWeWaitFor, Duration timeout, Probe<Boolean> probe) {
        until(whatWeWaitFor, timeout, probe, Boolean.TRUE::equals);
    }

    /** Polls {@code probe} until {@code done} accepts its value, and returns that value. */
    public static <T> T until(String whatWeWaitFor, Duration timeout, Probe<T> probe, Predicate<? super T> done) {
        Objects.requireNonNull(whatWeWaitFor, "whatWeWaitFor");
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration pause = FIRST_PAUSE;
        T last = null;
        Exception lastFailure = null;
        int polls = 0;
        while (true) {
            polls++;
            try {
                last = probe.get();
                lastFailure = null;
                if (done.test(last)) {
                    return last;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting for " + whatWeWaitFor, e);
            } catch (Exception e) {
                lastFailure = e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                String seen = lastFailure != null ? "the probe threw " + lastFailure : "last seen: " + last;
                throw new AssertionError("Waited " + timeout + " (" + polls + " polls) for " + whatWeWaitFor + "; " + seen,
                        lastFailure);
            }
            sleep(Duration.ofNanos(Math.min(left, pause.toNanos())), whatWeWaitFor);
            pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
        }
    }

    private static void sleep(Duration pause, String whatWeWaitFor) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for " + whatWeWaitFor, e);
        }
    }
}
