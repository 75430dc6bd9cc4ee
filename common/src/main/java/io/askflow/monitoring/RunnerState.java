package io.askflow.monitoring;

import io.askflow.kafka.RunnerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/** One runner's meters and state: joined (readiness), loop running (liveness). */
final class RunnerState implements RunnerMetrics {
    private final MeterRegistry registry;
    private final String group;
    private final Counter commits;
    private final Counter aborts;
    private final Timer commitDuration;
    private final DistributionSummary recordsPerCommit;
    private volatile boolean started;
    private volatile boolean stopped;
    private volatile boolean joined;

    RunnerState(MeterRegistry registry, String group) {
        this.registry = registry;
        this.group = group;
        commits = Counter.builder("askflow.transactions").description("Kafka transactions of the runner, by result")
                .tags("group", group, "result", "committed").register(registry);
        aborts = Counter.builder("askflow.transactions").description("Kafka transactions of the runner, by result")
                .tags("group", group, "result", "aborted").register(registry);
        commitDuration = Timer.builder("askflow.commit.duration")
                .description("Committing one transaction (offsets and its end), while the runner's workers cannot publish")
                .tag("group", group).publishPercentileHistogram().register(registry);
        recordsPerCommit = DistributionSummary.builder("askflow.commit.records")
                .description("Finished records whose outputs one committed transaction made visible")
                .tag("group", group).register(registry);
    }

    String group() {
        return group;
    }

    boolean stopped() {
        return started && stopped;
    }

    Optional<String> readiness() {
        if (stopped) {
            return Optional.of("its runner stopped");
        }
        return joined ? Optional.empty() : Optional.of("not joined yet (no partitions assigned)");
    }

    @Override
    public void loopStarted(IntSupplier inFlight) {
        Gauge.builder("askflow.runner.in.flight", inFlight::getAsInt)
                .description("Records handed to workers and not yet finished").tag("group", group).register(registry);
        started = true;
    }

    @Override
    public void loopStopped() {
        stopped = true;
    }

    @Override
    public void assigned(int partitions) {
        joined = true;
    }

    @Override
    public void lost() {
        joined = false;
    }

    @Override
    public void handled(String topic, String outcome, long nanos) {
        Timer.builder("askflow.stage.duration").description("Handling time of one record, per topic and outcome")
                .tags("group", group, "topic", topic, "outcome", outcome).publishPercentileHistogram()
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
        if ("dead_letter".equals(outcome)) {
            Counter.builder("askflow.dead.letters").description("Records sent to askflow.dead-letters")
                    .tags("group", group, "topic", topic).register(registry).increment();
        }
    }

    @Override
    public void committed(int records, long nanos) {
        commits.increment();
        commitDuration.record(nanos, TimeUnit.NANOSECONDS);
        recordsPerCommit.record(records);
    }

    @Override
    public void aborted() {
        aborts.increment();
    }
}
