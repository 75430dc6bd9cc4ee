package io.askflow.gateway;

import io.askflow.message.Answer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Counts every answer by status and error code, and times each accepted turn from its acceptance
 * to its answer. Here, in the gateway's answer feed, because every answer passes it once whichever
 * stage published it, and the acceptance time is the gateway's own record.
 */
final class TurnMetrics {
    private final MeterRegistry registry;
    private final Submissions submissions;

    TurnMetrics(MeterRegistry registry, Submissions submissions) {
        this.registry = registry;
        this.submissions = submissions;
    }

    void answered(Answer answer) throws SQLException {
        boolean turn = answer.tenantId() != null && answer.requestId() != null && answer.createdAt() != null
                && (answer.error() == null || !answer.error().code().refusesSubmission()); // a refusal never became a turn
        // Looked up before anything is counted: a transient failure here runs the handler again.
        Optional<Instant> accepted = turn ? submissions.acceptedAt(answer.tenantId(), answer.requestId()) : Optional.empty();
        String status = answer.status().wire();
        String code = answer.error() == null ? "none" : answer.error().code().wire();
        Counter.builder("askflow.turns").description("Answers on askflow.answers, by status and error code")
                .tags("status", status, "code", code).register(registry).increment();
        accepted.map(at -> Duration.between(at, answer.createdAt())).filter(took -> !took.isNegative())
                .ifPresent(took -> Timer.builder("askflow.turn.duration").description("From a request's acceptance to its answer")
                        .tags("status", status).publishPercentileHistogram().register(registry).record(took));
    }
}
