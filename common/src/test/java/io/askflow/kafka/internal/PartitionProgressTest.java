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
    void awaitDrainedReturnsWhenTheLastWorkerSettles() throws Exception {
        PartitionProgress p = new PartitionProgress();
        p.started(7);
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            p.settled();
        });
        assertThat(p.awaitDrained(5_000)).isTrue();
        t.join();
        assertThat(p.awaitDrained(0)).isTrue();
        // Settled but not finished (waiting for its transaction): drained, yet the commit stays below it.
        assertThat(p.committable()).hasValue(7);
        p.started(8);
        assertThat(p.awaitDrained(10)).isFalse();
    }

    @Test
    void metadataCarriesWhatFinishedAboveTheCommitAndANewOwnerSkipsIt() {
        PartitionProgress p = new PartitionProgress();
        for (long o = 100; o < 110; o++) {
            p.started(o);
        }
        for (long o : new long[] {101, 102, 104, 105, 107, 109}) {
            p.finished(o);
        }
        long commit = p.committable().getAsLong();
        assertThat(commit).isEqualTo(100);
        String encoded = p.metadata().encode(commit);

        PartitionProgress next = new PartitionProgress(OffsetMetadata.decode(commit, encoded));
        for (long o = 100; o < 110; o++) {
            boolean finishedBefore = o == 101 || o == 102 || o == 104 || o == 105 || o == 107 || o == 109;
            assertThat(next.alreadyDone(o)).as("offset %d", o).isEqualTo(finishedBefore);
        }
        assertThat(next.alreadyDone(110)).isFalse();
        // Until the new owner finishes the open ones, it commits the same position and metadata.
        assertThat(next.position()).hasValue(100);
        assertThat(next.metadata().encode(100)).isEqualTo(encoded);
        for (long o : new long[] {100, 103, 106, 108}) {
            next.started(o);
            next.finished(o);
        }
        assertThat(next.position()).hasValue(110);
        assertThat(next.metadata()).isEqualTo(OffsetMetadata.NONE);
    }

    @Test
    void foreignOrBrokenMetadataMeansNothingIsKnown() {
        assertThat(OffsetMetadata.decode(5, "")).isEqualTo(OffsetMetadata.NONE);
        assertThat(OffsetMetadata.decode(5, "written by another tool")).isEqualTo(OffsetMetadata.NONE);
        assertThat(OffsetMetadata.decode(5, "af1:zz:!!")).isEqualTo(OffsetMetadata.NONE);
        assertThat(new PartitionProgress(OffsetMetadata.NONE).alreadyDone(5)).isFalse();
    }

    @Test
    void metadataThatWouldNotFitClaimsLessRatherThanTooMuch() {
        PartitionProgress p = new PartitionProgress();
        long n = 20_000;
        for (long o = 0; o < n; o++) {
            p.started(o);
        }
        for (long o = 1; o < n; o += 2) {
            p.finished(o); // every other record finished: 10,000 open offsets cannot fit in 4 KB
        }
        String encoded = p.metadata().encode(0);
        assertThat(encoded.length()).isLessThan(4_096);
        OffsetMetadata decoded = OffsetMetadata.decode(0, encoded);
        PartitionProgress next = new PartitionProgress(decoded);
        for (long o = 0; o < n; o++) {
            if (next.alreadyDone(o)) {
                assertThat(o % 2).as("offset %d claimed done", o).isEqualTo(1);
            }
        }
        assertThat(next.alreadyDone(1)).isTrue();
    }

    @Test
    void theFirstOffsetOfAPartitionCountsLikeAnyOther() {
        PartitionProgress p = new PartitionProgress();
        p.started(0);
        assertThat(p.position()).hasValue(0);
        p.finished(0);
        assertThat(p.committable()).hasValue(1);
        assertThat(p.position()).hasValue(1);

        // A previous owner that committed offset 0 with record 0 still open: the new owner starts there.
        PartitionProgress restored = new PartitionProgress(OffsetMetadata.decode(0, "af1:0:"));
        assertThat(restored.position()).hasValue(0);
        assertThat(restored.alreadyDone(0)).isFalse();
    }

    @Test
    void theMetadataListsOnlyTheUnfinishedRecordsAboveTheCommitPoint() {
        PartitionProgress p = new PartitionProgress();
        for (long o = 10; o <= 15; o++) {
            p.started(o);
        }
        p.finished(11);
        p.finished(14);
        // 10 is the commit point itself, which the commit's offset already says is unfinished.
        assertThat(p.metadata()).isEqualTo(new OffsetMetadata(15, List.of(12L, 13L, 15L)));
        assertThat(p.commitPoint(false)).hasValueSatisfying(c -> {
            assertThat(c.offset()).isEqualTo(10);
            assertThat(OffsetMetadata.decode(c.offset(), c.metadata()).open()).containsExactly(10L, 12L, 13L, 15L);
        });
    }

    @Test
    void aDrainWithNoTimeLeftReturnsAtOnceInsteadOfWaitingForever() throws Exception {
        PartitionProgress p = new PartitionProgress();
        p.started(1);
        // Object.wait(0) would wait without end: a drain out of time must not reach it.
        assertThat(p.awaitDrained(0)).isFalse();
        assertThat(p.runningCount()).isEqualTo(1);
    }

    @Test
    void aTransactionalCommitRestatesAnOffsetThatDidNotMove() {
        PartitionProgress p = new PartitionProgress();
        p.started(7);
        p.finished(7);
        p.committed(8);
        assertThat(p.commitPoint(false)).as("nothing new to commit").isEmpty();
        assertThat(p.commitPoint(true)).hasValueSatisfying(c -> assertThat(c.offset()).isEqualTo(8));
    }
}
