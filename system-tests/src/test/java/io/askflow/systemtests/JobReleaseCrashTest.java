package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.askflow.config.Settings;
import io.askflow.db.Database;
import io.askflow.gateway.KilledGateway;
import io.askflow.localmodel.Reply;
import io.askflow.message.Json;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A gateway killed while it releases a batch job's turns (decision 50) loses none and releases
 * none twice: one gateway dies right after committing a job, before releasing anything; another
 * after committing the release of a job's first window, before publishing it. The running
 * gateway's release and outbox take both jobs over, and every document reaches the model once.
 * The first job's turns were made long enough ago to be past the deadline they were created with:
 * they are answered all the same, because a held turn's deadline counts from its release.
 */
class JobReleaseCrashTest {
    private static final Duration MODEL_DELAY = Duration.ofMillis(100);
    private static RunningPipeline p;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
    }

    @Test
    void aGatewayKilledAfterCreatingOrReleasingAJobLosesNothingAndReleasesNothingTwice() throws Exception {
        int window = p.config.get(Settings.JOB_WINDOW);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Http acme = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY);
        List<String> unreleased = JobTraffic.upload(acme, 2 * window + 3, "Unreleased note of " + tag);
        List<String> unpublished = JobTraffic.upload(acme, 2 * window + 3, "Unpublished note of " + tag);
        JobTraffic.Arrivals arrivals = new JobTraffic.Arrivals();
        p.model.respondWith(req -> {
            arrivals.record(req);
            return Reply.text("noted").withDelay(MODEL_DELAY);
        });
        // A minute ago, so that the outbox's sweep finds the dead gateway's released turns overdue.
        Clock aMinuteAgo = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-60));
        // Ten minutes ago, past the dying gateway's five-minute deadline: the turns live because
        // their deadline counts from their release.
        Clock tenMinutesAgo = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-10));
        String first;
        String second;
        try (HikariDataSource db = Database.open(p.config, "gateway")) {
            first = KilledGateway.createJobAndDie(db, "acme", job("Summarise " + tag, unreleased), tenMinutesAgo, window, false);
            second = KilledGateway.createJobAndDie(db, "acme", job("Condense " + tag, unpublished), aMinuteAgo, window, true);
        }
        assertThat(Sql.count("SELECT count(*) FROM gateway_job_items WHERE job_id = ? AND status = 'pending'", second))
                .as("the dead gateway's released window").isEqualTo(window);

        assertThat(JobAtomicityTest.awaitFinished(acme, first).path("done").asInt()).isEqualTo(unreleased.size());
        assertThat(JobAtomicityTest.awaitFinished(acme, second).path("done").asInt()).isEqualTo(unpublished.size());
        assertThat(arrivals.counts(unreleased)).as("each document of the unreleased job at the model once")
                .containsOnly(1).hasSize(unreleased.size());
        assertThat(arrivals.counts(unpublished)).as("each document of the unpublished job at the model once")
                .containsOnly(1).hasSize(unpublished.size());
        assertThat(arrivals.mostAtOnce(unpublished, MODEL_DELAY.toNanos())).as("the window held after the take-over")
                .isBetween(1, window);
        assertThat(Sql.count("SELECT count(*) FROM gateway_submissions WHERE source IN (?, ?) AND pending_turn IS NOT NULL",
                "job:" + first, "job:" + second)).as("every released turn's publish confirmed").isZero();
    }

    private static String job(String instruction, List<String> documentIds) {
        return Json.writeString(Map.of("instruction", instruction, "documentIds", documentIds));
    }
}
