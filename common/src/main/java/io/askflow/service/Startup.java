package io.askflow.service;

import io.askflow.kafka.internal.Transience;
import io.askflow.time.Backoff;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's start-up steps against Kafka and PostgreSQL. Services are started by a supervisor
 * (compose, Kubernetes, a test) in no particular order with their dependencies, and those restart
 * too: a step that meets a dependency that is down or restarting waits and tries again, up to
 * {@code ASKFLOW_STARTUP_TIMEOUT}, instead of ending the process.
 */
public final class Startup {
    private static final Logger LOG = LoggerFactory.getLogger(Startup.class);
    private static final Backoff BACKOFF = Backoff.doubling(Duration.ofMillis(250), Duration.ofSeconds(5));

    /** One attempt of a step; it may be repeated, so it must leave nothing behind when it fails. */
    @FunctionalInterface
    public interface Step<T> {
        T attempt() throws Exception;
    }

    private Startup() {
    }

    /**
     * Runs the step until it succeeds, fails for a reason that waiting cannot cure, or the timeout
     * passes; the last two throw a {@link StartupFailure} whose message is one line naming the step
     * and the cause. An attempt that throws a StartupFailure itself (with a transient cause, so it is
     * retried) has said in its own line what did not answer, and that line ends the start.
     */
    public static <T> T retrying(String step, Duration timeout, Step<T> attempt) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            return BACKOFF.retry(attempt::attempt, (e, attempts, delay) -> {
                if (e instanceof InterruptedException || !isTransient(e)) {
                    throw e;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw e instanceof StartupFailure own ? own
                            : new StartupFailure(step + ": not answering within ASKFLOW_STARTUP_TIMEOUT (" + timeout
                                    + ", " + attempts + " attempts): " + rootMessage(e), e);
                }
                LOG.warn("{}: not answering yet, retrying in {} ms: {}", step, delay.toMillis(), rootMessage(e));
                return delay.compareTo(Duration.ofNanos(left)) <= 0 ? delay : Duration.ofNanos(left); // not past the deadline
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupFailure(step + ": interrupted", e);
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new StartupFailure(step + " failed: " + rootMessage(e), e);
        }
    }

    /**
     * Whether waiting may cure the failure: an unreachable or restarting PostgreSQL (see
     * {@link Transience}), a Kafka request that timed out or is retriable, or a broker that answers
     * but has not registered with its controller yet (too few brokers for the replication factor).
     */
    static boolean isTransient(Throwable failure) {
        if (Transience.isTransient(failure)) {
            return true;
        }
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof RetriableException
                    || t instanceof InvalidReplicationFactorException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage().lines().findFirst().orElse("");
        return root.getClass().getSimpleName() + message;
    }

    /**
     * What a service's start-up has opened so far: closed in reverse order if a later step fails,
     * so that a failed start leaks no pool, producer or runner (whose threads would keep the process
     * alive). {@link #keep()} hands them to the started service.
     */
    public static final class Parts implements AutoCloseable {
        private final Deque<AutoCloseable> opened = new ArrayDeque<>();
        private boolean kept;

        public <T extends AutoCloseable> T add(T part) {
            opened.push(part);
            return part;
        }

        public void keep() {
            kept = true;
        }

        @Override
        public void close() {
            if (kept) {
                return;
            }
            while (!opened.isEmpty()) {
                try {
                    opened.pop().close();
                } catch (Exception e) {
                    LOG.warn("Could not close a part of a failed start-up", e);
                }
            }
        }
    }
}
