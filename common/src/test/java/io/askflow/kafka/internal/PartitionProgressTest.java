package io.askflow.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PartitionProgressTest {

    @Test
    void commitStopsAtTheLowestUnfinishedRecord() {
        PartitionProgress p = new PartitionProgress();
        for (long o = 0; o < 5; o++) {
            p.started(o);
        }
        p.finished(3);
        p.finished(1);
        assertThat(p.committable()).hasValue(0);
        p.finished(0);
        assertThat(p.committable()).hasValue(2);
        p.committed(2);
        assertThat(p.committable()).isEmpty();
        p.finished(2);
        assertThat(p.committable()).hasValue(4);
        p.finished(4);
        assertThat(p.committable()).hasValue(5);
    }

    @Test
    void nothingToCommitBeforeAnyRecord() {
        assertThat(new PartitionProgress().committable()).isEmpty();
    }

    @Test
    void randomOutOfOrderCompletionNeverCommitsPastAnUnfinishedRecord() {
        Random random = new Random(42);
        for (int run = 0; run < 200; run++) {
            PartitionProgress p = new PartitionProgress();
            int n = 1 + random.nextInt(60);
            long base = random.nextInt(1_000);
            List<Long> order = new ArrayList<>();
            TreeSet<Long> unfinished = new TreeSet<>();
            for (long o = base; o < base + n; o++) {
                p.started(o);
                order.add(o);
                unfinished.add(o);
            }
            Collections.shuffle(order, random);
            long lastCommitted = -1;
            for (long o : order) {
                p.finished(o);
                unfinished.remove(o);
                OptionalLong c = p.committable();
                if (c.isPresent()) {
                    long offset = c.getAsLong();
                    // Kafka's committed offset is the next one to read: every offset below it must be finished.
                    if (!unfinished.isEmpty()) {
                        assertThat(offset).isLessThanOrEqualTo(unfinished.first());
                    }
                    assertThat(offset).isGreaterThan(lastCommitted);
                    if (random.nextBoolean()) {
                        p.committed(offset);
                        lastCommitted = offset;
                    }
                }
            }
            assertThat(unfinished).isEmpty();
            if (lastCommitted < base + n) {
                assertThat(p.committable()).hasValue(base + n);
            }
        }
    }

    @Test
    void awaitDrainedReturnsWhenTheLastRecordFinishes() throws Exception {
        PartitionProgress p = new PartitionProgress();
        p.started(7);
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            p.finished(7);
        });
        assertThat(p.awaitDrained(5_000)).isTrue();
        t.join();
        assertThat(p.awaitDrained(0)).isTrue();
        p.started(8);
        assertThat(p.awaitDrained(10)).isFalse();
    }
}
