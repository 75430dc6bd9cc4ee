package io.askflow.monitoring;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.askflow.kafka.RunnerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The metrics registry and the health of one process. Made once per process (a service's
 * {@code ServiceProcess}, or {@code ./askflow serve} for all four) and passed to what reports into
 * it; nothing reaches it through a static. {@link #none()} is a private registry for services
 * started without a management server (tests, tools): they report into it and nobody reads it.
 */
public final class Monitoring implements AutoCloseable {
    /** What a readiness check says: empty when ready, else why not. */
    @FunctionalInterface
    public interface Check {
        Optional<String> problem() throws Exception;
    }

    private final PrometheusMeterRegistry registry;
    /** False for {@link #none()}: nothing is bound (a binder polls its client on a thread of its own), no runner tracked. */
    private final boolean bound;
    private final Readiness readiness = new Readiness();
    private final List<RunnerState> runners = new ArrayList<>();
    private final Map<String, KafkaClientMetrics> kafkaBinders = new HashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private Monitoring(boolean bound) {
        this.bound = bound;
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        if (bound) {
            new ClassLoaderMetrics().bindTo(registry);
            new JvmMemoryMetrics().bindTo(registry);
            JvmGcMetrics gc = new JvmGcMetrics();
            gc.bindTo(registry);
            closeables.add(gc);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
        }
    }

    /** The process's registry, with JVM metrics. */
    public static Monitoring create() {
        return new Monitoring(true);
    }

    /** A registry nobody scrapes, for a service started without a management server: no binders, no checks. */
    public static Monitoring none() {
        return new Monitoring(false);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    public Readiness readiness() {
        return readiness;
    }

    /** Adds a readiness check under {@code name}; /readyz names it when it fails. */
    public void ready(String name, Check check) {
        readiness.add(name, check);
    }

    /** Adds a check that fails until the returned action runs: a process is not ready while its services start. */
    public Runnable startupCheck() {
        AtomicBoolean started = new AtomicBoolean();
        ready("startup", () -> started.get() ? Optional.empty() : Optional.of("starting"));
        return () -> started.set(true);
    }

    /**
     * The metrics of one runner (consumer group {@code group}), which also make the process not
     * ready until the runner has joined its group, and not alive once its loop has ended.
     */
    public synchronized RunnerMetrics runner(String group) {
        if (!bound) {
            return RunnerMetrics.NONE;
        }
        RunnerState state = new RunnerState(registry, group);
        runners.add(state);
        readiness.add("kafka group " + group, state::readiness);
        return state;
    }

    /** True while every runner that started its loop is still running it. */
    public synchronized Optional<String> liveness() {
        return runners.stream().filter(RunnerState::stopped).map(r -> "runner " + r.group() + " stopped").findFirst();
    }

    /**
     * Binds a Kafka client's metrics (consumer lag, request rates, ...) to the registry. A client id
     * bound again (a producer renewed after a failed abort) replaces the earlier client's binding.
     */
    public <C> C kafka(C client, String clientId) {
        if (!bound) {
            return client;
        }
        KafkaClientMetrics binder;
        // A runner's consumer and producers share a client id: the kind keeps their common meters (app-info) apart.
        if (client instanceof Consumer<?, ?> c) {
            binder = new KafkaClientMetrics(c, Tags.of("kind", "consumer"));
        } else if (client instanceof Producer<?, ?> p) {
            binder = new KafkaClientMetrics(p, Tags.of("kind", "producer"));
        } else {
            throw new IllegalArgumentException("Not a Kafka consumer or producer: " + client.getClass());
        }
        binder.bindTo(registry);
        KafkaClientMetrics earlier;
        synchronized (this) {
            earlier = kafkaBinders.put(clientId + "/" + (client instanceof Consumer<?, ?> ? "consumer" : "producer"), binder);
        }
        if (earlier != null) {
            earlier.close();
        }
        return client;
    }

    /** The pool's metrics (HikariCP's own Micrometer tracker) and a readiness check that it answers. */
    public HikariDataSource database(HikariDataSource ds) {
        if (!bound) {
            return ds;
        }
        ds.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        readiness.add("database " + ds.getPoolName(), () -> {
            try (Connection c = ds.getConnection()) {
                return c.isValid(2) ? Optional.empty() : Optional.of("the connection is not valid");
            }
        });
        return ds;
    }

    @Override
    public synchronized void close() {
        kafkaBinders.values().forEach(KafkaClientMetrics::close);
        kafkaBinders.clear();
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                // closing a binder frees its listeners; nothing else depends on it
            }
        }
        readiness.close();
        registry.close();
    }
}
