package io.askflow.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class KeyOrderedHandlerTest {

    private static Incoming<String> rec(long offset, String key) {
        return new Incoming<>("t", 0, offset, key, "v" + offset, new RecordHeaders(), Instant.EPOCH);
    }

    @Test
    void sameKeyRunsInOffsetOrderEvenWhenThreadsArriveReversed() throws Exception {
        List<Long> order = new CopyOnWriteArrayList<>();
        Handler<String> h = KeyOrderedHandler.of(in -> {
            order.add(in.offset());
            return List.of();
        });
        call(h, rec(0, "other")); // the partition's line has started
        Thread later = Thread.ofVirtual().start(() -> call(h, rec(2, "k")));
        Thread.sleep(5); // offset 2 reaches the handler before offset 1, within the grace period
        Thread first = Thread.ofVirtual().start(() -> call(h, rec(1, "k")));
        later.join(5_000);
        first.join(5_000);
        assertThat(order).containsExactly(0L, 1L, 2L);
    }

    @Test
    void theFirstRecordsOfANewLineAreOrderedToo() throws Exception {
        List<Long> order = new CopyOnWriteArrayList<>();
        Handler<String> h = KeyOrderedHandler.of(in -> {
            order.add(in.offset());
            return List.of();
        });
        Thread later = Thread.ofVirtual().start(() -> call(h, rec(6, "k")));
        Thread.sleep(5); // right after start, offset 6 reaches the handler before offset 5
        Thread first = Thread.ofVirtual().start(() -> call(h, rec(5, "k")));
        later.join(5_000);
        first.join(5_000);
        assertThat(order).containsExactly(5L, 6L);
    }

    @Test
    void differentKeysDoNotWaitForEachOther() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> done = new CopyOnWriteArrayList<>();
        Handler<String> h = new KeyOrderedHandler<>(in -> {
            if (in.key().equals("slow")) {
                release.await(5, TimeUnit.SECONDS);
            }
            done.add(in.key());
            return List.of();
        }, Duration.ofMillis(20));
        Thread slow = Thread.ofVirtual().start(() -> call(h, rec(0, "slow")));
        Thread fast = Thread.ofVirtual().start(() -> call(h, rec(1, "fast")));
        fast.join(5_000);
        assertThat(done).containsExactly("fast");
        release.countDown();
        slow.join(5_000);
        assertThat(done).containsExactly("fast", "slow");
    }

    @Test
    void aRedeliveredTwinFinishingDoesNotReleaseTheNextRecordOfItsKeyEarly() throws Exception {
        CountDownLatch oldAttemptMayFinish = new CountDownLatch(1);
        List<String> events = new CopyOnWriteArrayList<>();
        Handler<String> h = new KeyOrderedHandler<>(in -> {
            if (in.value().equals("old")) {
                oldAttemptMayFinish.await(5, TimeUnit.SECONDS);
            }
            events.add(in.value() + "@" + in.offset());
            return List.of();
        }, Duration.ofMillis(5));
        Incoming<String> old = new Incoming<>("t", 0, 7, "k", "old", new RecordHeaders(), Instant.EPOCH);
        Incoming<String> twin = new Incoming<>("t", 0, 7, "k", "twin", new RecordHeaders(), Instant.EPOCH);
        Thread a = Thread.ofVirtual().start(() -> call(h, old));
        Thread.sleep(20);
        Thread b = Thread.ofVirtual().start(() -> call(h, twin));
        b.join(5_000); // the twin (same offset) does not wait for the old attempt
        Thread c = Thread.ofVirtual().start(() -> call(h, rec(8, "k")));
        Thread.sleep(100);
        assertThat(events).containsExactly("twin@7"); // offset 8 still waits for the old attempt at 7
        oldAttemptMayFinish.countDown();
        a.join(5_000);
        c.join(5_000);
        assertThat(events).containsExactly("twin@7", "old@7", "v8@8");
    }

    private static void call(Handler<String> h, Incoming<String> in) {
        try {
            h.handle(in);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
