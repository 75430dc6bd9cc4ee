package io.askflow.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KeyLanesTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final KeyLanes lanes = new KeyLanes(workers);
    private final List<String> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    @Test
    void aKeysRecordsRunInTheOrderTheyEnteredEachAfterThePreviousFinished() throws Exception {
        CountDownLatch firstMayFinish = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(3);
        lanes.enter(P0, "k", () -> {
            events.add("start 1");
            await(firstMayFinish);
            events.add("end 1");
            done.countDown();
        });
        lanes.enter(P0, "k", () -> {
            events.add("2");
            done.countDown();
        });
        lanes.enter(P0, "k", () -> {
            events.add("3");
            done.countDown();
        });
        firstMayFinish.countDown();
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(events).containsExactly("start 1", "end 1", "2", "3");
    }

    @Test
    void differentKeysDoNotWaitForEachOther() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch fastDone = new CountDownLatch(1);
        CountDownLatch slowDone = new CountDownLatch(1);
        lanes.enter(P0, "slow", () -> {
            await(release);
            events.add("slow");
            slowDone.countDown();
        });
        lanes.enter(P0, "fast", () -> {
            events.add("fast");
            fastDone.countDown();
        });
        assertThat(fastDone.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(events).containsExactly("fast");
        release.countDown();
        assertThat(slowDone.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(events).containsExactly("fast", "slow");
    }

    @Test
    void aRedeliveredRecordAndTheNextOfItsKeyWaitForTheOldAttemptStillRunning() throws Exception {
        CountDownLatch oldAttemptMayFinish = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(3);
        lanes.enter(P0, "k", () -> {
            await(oldAttemptMayFinish);
            events.add("old@7");
            done.countDown();
        });
        // A rewind redelivers offset 7, and then 8, while the old attempt at 7 still runs.
        lanes.enter(P0, "k", () -> {
            events.add("twin@7");
            done.countDown();
        });
        lanes.enter(P0, "k", () -> {
            events.add("v8@8");
            done.countDown();
        });
        oldAttemptMayFinish.countDown();
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(events).containsExactly("old@7", "twin@7", "v8@8");
    }

    @Test
    void aRecordThatFailsDoesNotStopItsLane() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        lanes.enter(P0, "k", () -> {
            throw new IllegalStateException("broken");
        });
        lanes.enter(P0, "k", () -> {
            events.add("next");
            done.countDown();
        });
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(events).containsExactly("next");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
