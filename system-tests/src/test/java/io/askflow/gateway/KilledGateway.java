package io.askflow.gateway;

import io.askflow.knowledge.DocumentStore;
import io.askflow.message.Json;
import io.askflow.message.Turn;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A gateway killed after it claimed an HTTP submission and before the broker acknowledged the turn:
 * the gateway's own admission runs (so the claim is written by the gateway's statements, not by a
 * copy of them that can drift), and the records it returns for publishing are dropped.
 */
public final class KilledGateway {
    private KilledGateway() {
    }

    /** Admits {@code body} for {@code tenantId} as the HTTP API does and returns the claimed turn, unpublished. */
    public static Turn admitOverHttpAndDie(DataSource db, String tenantId, String body, Clock clock) throws SQLException {
        Admission admission = new Admission(new RequestValidator(new RequestValidator.Limits(64 * 1024, 5_000,
                Duration.ofMinutes(5))), new Submissions(db), clock, new InteractiveLoad(db));
        String fallbackId = UUID.randomUUID().toString();
        Admission.Result result = admission.admitFor(tenantId, body.getBytes(StandardCharsets.UTF_8), fallbackId,
                "http:" + fallbackId);
        if (!(result.verdict() instanceof Verdict.Accepted accepted) || result.duplicate()) {
            throw new AssertionError("The gateway did not claim the submission: " + result.verdict());
        }
        return accepted.turn();
    }

    /**
     * Creates a batch job for {@code tenantId} as {@code POST /v1/jobs} does and dies: right after the
     * job's commit ({@code released} false), or after also committing the release of its first
     * {@code window} turns, before any was published. Returns the job id.
     */
    public static String createJobAndDie(DataSource db, String tenantId, String body, Clock clock, int window,
            boolean released) throws SQLException {
        Submissions submissions = new Submissions(db);
        JobRelease release = new JobRelease(db, submissions, null, clock, window, window, new InteractiveLoad(db),
                Duration.ofMinutes(5));
        String jobId = new JobsApi(new Jobs(db, clock), new DocumentStore(db), submissions, release, null, clock,
                new JobsApi.Limits(24_000, Duration.ofMinutes(5), 64 * 1024)).create(tenantId, Json.tree(body));
        if (released && release.claim(jobId).isEmpty()) {
            throw new AssertionError("The dying gateway released nothing of job " + jobId);
        }
        return jobId;
    }
}
