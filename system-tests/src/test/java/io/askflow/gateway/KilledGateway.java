package io.askflow.gateway;

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
                Duration.ofMinutes(5))), new Submissions(db), clock);
        String fallbackId = UUID.randomUUID().toString();
        Admission.Result result = admission.admitFor(tenantId, body.getBytes(StandardCharsets.UTF_8), fallbackId,
                "http:" + fallbackId);
        if (!(result.verdict() instanceof Verdict.Accepted accepted) || result.duplicate()) {
            throw new AssertionError("The gateway did not claim the submission: " + result.verdict());
        }
        return accepted.turn();
    }
}
