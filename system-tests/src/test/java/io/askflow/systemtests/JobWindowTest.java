package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.config.Settings;
import io.askflow.localmodel.Reply;
import io.askflow.testkit.Await;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Decision 50: a batch job's turns go into Kafka at most {@code ASKFLOW_JOB_WINDOW} at a time, the
 * rest waiting in PostgreSQL, and two tenants' jobs progress side by side instead of the second
 * waiting behind the first one's backlog.
 */
class JobWindowTest {
    private static final Duration MODEL_DELAY = Duration.ofMillis(600);
    private static RunningPipeline p;
    private static int window;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
        window = p.config.get(Settings.JOB_WINDOW);
    }

    @Test
    void aJobLargerThanItsWindowNeverHasMoreThanTheWindowInFlight() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Http acme = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY);
        List<String> docs = JobTraffic.upload(acme, 3 * window + 5, "Window note of " + tag);
        JobTraffic.Arrivals arrivals = new JobTraffic.Arrivals();
        p.model.respondWith(req -> {
            arrivals.record(req);
            return Reply.text("noted").withDelay(MODEL_DELAY);
        });
        String jobId = JobTraffic.submit(acme, "Summarise " + tag, docs);

        // The gateway's rows, sampled while the job runs: released and unanswered, and still queued.
        AtomicInteger mostInFlight = new AtomicInteger();
        AtomicBoolean fullWindowWithBacklog = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = Thread.ofVirtual().start(() -> {
            while (running.get()) {
                try {
                    long inFlight = Sql.count("SELECT count(*) FROM gateway_job_items WHERE job_id = ? AND status = 'pending'", jobId);
                    long queued = Sql.count("SELECT count(*) FROM gateway_job_items WHERE job_id = ? AND status = 'queued'", jobId);
                    mostInFlight.accumulateAndGet((int) inFlight, Math::max);
                    if (inFlight == window && queued > 0) {
                        fullWindowWithBacklog.set(true);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        JsonNode progress;
        try {
            progress = JobAtomicityTest.awaitFinished(acme, jobId);
        } finally {
            running.set(false);
            sampler.join();
        }
        assertThat(progress.path("done").asInt()).isEqualTo(docs.size());
        assertThat(arrivals.counts(docs)).as("every document reached the model exactly once")
                .containsOnly(1).hasSize(docs.size());
        // At most the window; reaching it is the rows' check below (at the model a loaded machine
        // spreads one window's arrivals over more than one call's time).
        assertThat(arrivals.mostAtOnce(docs, MODEL_DELAY.toNanos())).as("the job's calls at the model at once")
                .isBetween(1, window);
        assertThat(mostInFlight.get()).as("the job's turns released and unanswered at once").isBetween(1, window);
        assertThat(fullWindowWithBacklog.get()).as("seen: a full window while the rest waited queued").isTrue();
    }

    /**
     * Decision 55: while the gateway admits interactive turns, a job holds at most
     * {@code ASKFLOW_JOB_WINDOW_INTERACTIVE} turns in flight, and its full window again once they
     * stop (5 s after the last).
     */
    @Test
    void whileInteractiveTurnsAreAdmittedAJobYieldsToItsInteractiveWindowAndTakesItsFullWindowAfter() throws Exception {
        int yielding = p.config.get(Settings.JOB_WINDOW_INTERACTIVE);
        assertThat(yielding).as("the test pipeline's windows").isLessThan(window);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Http acme = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY);
        List<String> docs = JobTraffic.upload(acme, 5 * window, "Yielding note of " + tag);
        JobTraffic.Arrivals arrivals = new JobTraffic.Arrivals();
        p.model.respondWith(req -> {
            arrivals.record(req);
            return Reply.text("noted").withDelay(MODEL_DELAY);
        });
        // Other tests' interactive turns may still hold it back for a few seconds: the wait below covers that.
        String jobId = JobTraffic.submit(acme, "Summarise " + tag, docs);
        Await.until("the job's full window in flight, the rest queued", Duration.ofSeconds(60),
                () -> inFlight(jobId) == window && queued(jobId) > 0);

        AtomicBoolean chatting = new AtomicBoolean(true);
        Thread chatter = Thread.ofVirtual().start(() -> {
            for (int i = 0; chatting.get(); i++) {
                p.client.ask("yield-" + tag + "-" + i, "ping");
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            // The window's turns already released finish first; then no more than the smaller window.
            Await.until("the job down to its interactive window", Duration.ofSeconds(60), () -> inFlight(jobId) <= yielding);
            int most = 0;
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                most = Math.max(most, (int) inFlight(jobId));
                Thread.sleep(20);
            }
            assertThat(most).as("the job's turns in flight while interactive turns came").isBetween(1, yielding);
            assertThat(queued(jobId)).as("a backlog left to grow into").isPositive();
        } finally {
            chatting.set(false);
            chatter.join();
        }
        Await.until("the job's full window again after the interactive turns stopped", Duration.ofSeconds(60),
                () -> inFlight(jobId) == window && queued(jobId) > 0);
        assertThat(JobAtomicityTest.awaitFinished(acme, jobId).path("done").asInt()).isEqualTo(docs.size());
        assertThat(arrivals.counts(docs)).containsOnly(1).hasSize(docs.size());
    }

    private static long inFlight(String jobId) throws Exception {
        return Sql.count("SELECT count(*) FROM gateway_job_items WHERE job_id = ? AND status = 'pending'", jobId);
    }

    private static long queued(String jobId) throws Exception {
        return Sql.count("SELECT count(*) FROM gateway_job_items WHERE job_id = ? AND status = 'queued'", jobId);
    }

    @Test
    void twoTenantsJobsProgressSideBySide() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Http acme = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY);
        Http globex = new Http(p.pipeline.httpPort(), RunningPipeline.GLOBEX_KEY);
        List<String> first = JobTraffic.upload(acme, 3 * window, "Acme note of " + tag);
        List<String> second = JobTraffic.upload(globex, 3 * window, "Globex note of " + tag);
        JobTraffic.Arrivals arrivals = new JobTraffic.Arrivals();
        p.model.respondWith(req -> {
            arrivals.record(req);
            return Reply.text("noted").withDelay(MODEL_DELAY);
        });
        String firstJob = JobTraffic.submit(acme, "Summarise " + tag, first);
        String secondJob = JobTraffic.submit(globex, "Summarise " + tag, second);
        assertThat(JobAtomicityTest.awaitFinished(acme, firstJob).path("done").asInt()).isEqualTo(first.size());
        assertThat(JobAtomicityTest.awaitFinished(globex, secondJob).path("done").asInt()).isEqualTo(second.size());
        assertThat(arrivals.counts(first)).containsOnly(1).hasSize(first.size());
        assertThat(arrivals.counts(second)).containsOnly(1).hasSize(second.size());

        // In one first-in-first-out queue the second job would start when the first one's last
        // document was out; side by side, it is past its first window by then.
        long firstsLast = Collections.max(arrivals.times(first));
        long secondBefore = arrivals.times(second).stream().filter(t -> t < firstsLast).count();
        assertThat(secondBefore).as("the second job's documents at the model before the first job's last one")
                .isGreaterThan(window);
        assertThat(arrivals.mostAtOnce(second, MODEL_DELAY.toNanos())).isBetween(1, window);
        assertThat(arrivals.mostAtOnce(first, MODEL_DELAY.toNanos())).isBetween(1, window);
    }
}
