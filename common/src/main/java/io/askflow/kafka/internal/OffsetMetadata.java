package io.askflow.kafka.internal;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The finished-out-of-order records above a committed offset, written into the offset commit's
 * metadata string: {@code af1:<highest>:<open offsets as base-36 deltas>}. Every offset from the
 * committed one up to {@code highest} is finished except the committed offset itself and the listed
 * open ones. Kafka's default limit for the metadata is 4096 characters; when the open list would
 * not fit, {@code highest} is lowered to the last offset that fits, so the encoding never claims a
 * record is finished when it is not (a later owner may then repeat a little work).
 */
public record OffsetMetadata(long highest, List<Long> open) {
    public static final OffsetMetadata NONE = new OffsetMetadata(-1, List.of());
    static final int MAX_CHARS = 3_800;
    private static final String PREFIX = "af1:";
    private static final Logger LOG = LoggerFactory.getLogger(OffsetMetadata.class);

    public OffsetMetadata {
        open = List.copyOf(open);
    }

    /** @param committed the offset this metadata is committed with */
    public String encode(long committed) {
        if (highest < committed) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        long previous = committed;
        long cover = highest;
        for (long o : open) {
            String delta = Long.toString(o - previous, 36);
            if (sb.length() + delta.length() + 40 > MAX_CHARS) {
                // Claim only up to just below the first open offset that does not fit.
                cover = o - 1;
                LOG.warn("Offset metadata full at offset {}: records finished above it may be repeated after a rebalance", o);
                break;
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(delta);
            previous = o;
        }
        return PREFIX + cover + ":" + sb;
    }

    /** Unknown or empty metadata (other tools commit too) means nothing is known above the offset. */
    public static OffsetMetadata decode(long committed, String text) {
        if (text == null || !text.startsWith(PREFIX)) {
            return NONE;
        }
        try {
            String[] parts = text.substring(PREFIX.length()).split(":", -1);
            long highest = Long.parseLong(parts[0]);
            List<Long> open = new ArrayList<>();
            long previous = committed;
            if (parts.length > 1 && !parts[1].isEmpty()) {
                for (String delta : parts[1].split(",")) {
                    previous += Long.parseLong(delta, 36);
                    open.add(previous);
                }
            }
            // The committed offset itself was the lowest unfinished record.
            List<Long> withCommitted = new ArrayList<>();
            withCommitted.add(committed);
            withCommitted.addAll(open);
            return new OffsetMetadata(highest, withCommitted);
        } catch (RuntimeException e) {
            LOG.warn("Ignoring unreadable offset metadata '{}'", text);
            return NONE;
        }
    }
}
