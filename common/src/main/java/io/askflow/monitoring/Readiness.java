package io.askflow.monitoring;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The named checks a process must pass to take traffic. They run concurrently, each bounded by
 * {@link #CHECK_TIMEOUT_MS}: a database that does not answer makes its pool wait its whole
 * connection timeout, and a readiness probe must answer sooner than that.
 */
public final class Readiness {
    static final long CHECK_TIMEOUT_MS = 2_000;

    private final Map<String, Monitoring.Check> checks = new LinkedHashMap<>();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    synchronized void add(String name, Monitoring.Check check) {
        checks.put(name, check);
    }

    /** What is not ready, by check name; empty when everything is. */
    public Map<String, String> problems() {
        Map<String, Monitoring.Check> now;
        synchronized (this) {
            now = new LinkedHashMap<>(checks);
        }
        Map<String, Future<Optional<String>>> running = new LinkedHashMap<>();
        now.forEach((name, check) -> running.put(name, executor.submit(check::problem)));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHECK_TIMEOUT_MS);
        Map<String, String> problems = new LinkedHashMap<>();
        running.forEach((name, f) -> {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).ifPresent(p -> problems.put(name, p));
            } catch (TimeoutException e) {
                f.cancel(true);
                problems.put(name, "no answer within " + CHECK_TIMEOUT_MS + " ms");
            } catch (ExecutionException e) {
                problems.put(name, describe(e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problems.put(name, "interrupted");
            }
        });
        return problems;
    }

    /** The failure's class and first line, never a whole chain (which could carry a URL with credentials). */
    private static String describe(Throwable t) {
        String message = t.getMessage() == null ? "" : ": " + t.getMessage().lines().findFirst().orElse("");
        return t.getClass().getSimpleName() + message;
    }

    void close() {
        executor.shutdownNow();
    }
}
