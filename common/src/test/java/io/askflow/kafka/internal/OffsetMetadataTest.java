package io.askflow.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class OffsetMetadataTest {

    @Test
    void aRoundTripKeepsEveryOpenOffsetWithTheCommittedOneFirst() {
        OffsetMetadata m = new OffsetMetadata(900, List.of(101L, 136L, 899L));
        String text = m.encode(100);
        assertThat(text).isEqualTo("af1:900:1,z," + Long.toString(899 - 136, 36));
        assertThat(OffsetMetadata.decode(100, text)).isEqualTo(new OffsetMetadata(900, List.of(100L, 101L, 136L, 899L)));
    }

    @Test
    void nothingAboveTheCommitPointIsWrittenAsNothing() {
        assertThat(new OffsetMetadata(99, List.of()).encode(100)).isEmpty();
        assertThat(OffsetMetadata.NONE.encode(0)).isEmpty();
    }

    @Test
    void theTextUsesTheWholeRoomAndNeverMore() {
        // Open offsets 1..2000 one apart: each takes one digit and a comma. 1,881 of them fit in the
        // 3,800 characters kept for the list (40 reserved for the prefix and highest offset).
        List<Long> open = LongStream.rangeClosed(1, 2_000).boxed().toList();
        String text = new OffsetMetadata(5_000, open).encode(0);
        assertThat(text.length()).isLessThanOrEqualTo(OffsetMetadata.MAX_CHARS);
        OffsetMetadata decoded = OffsetMetadata.decode(0, text);
        assertThat(decoded.highest()).as("claims up to just below the first open offset left out").isEqualTo(1_881);
        assertThat(decoded.open()).hasSize(1 + 1_881).endsWith(1_881L);

        // Wide deltas: fewer fit, and still within the room.
        List<Long> sparse = LongStream.rangeClosed(1, 2_000).map(i -> i * 1_000_000_000L).boxed().toList();
        String wide = new OffsetMetadata(Long.MAX_VALUE / 2, sparse).encode(0);
        assertThat(wide.length()).isLessThanOrEqualTo(OffsetMetadata.MAX_CHARS).isGreaterThan(OffsetMetadata.MAX_CHARS - 60);
    }
}
