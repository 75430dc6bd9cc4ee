package io.askflow.gateway;

import io.askflow.knowledge.TenantDirectory;
import io.askflow.message.ErrorCode;
import io.askflow.message.Json;
import io.askflow.message.Turn;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** The outcome of validating one submitted request. */
sealed interface Verdict {
    /**
     * @param fingerprint a digest of what the caller submitted (not of what the gateway filled in, such
     *     as a default deadline), so that sending the same request again is recognised as the same
     */
    record Accepted(Turn turn, String fingerprint) implements Verdict {
        /** A turn the gateway made itself (a batch job's document): its content is the turn's. */
        Accepted(Turn turn) {
            this(turn, fingerprint(turn.conversationId(), turn.userId(), turn.prompt(), turn.model(), turn.timeZone(),
                    turn.deadline(), turn.metadata(), turn.jobId()));
        }

        static String fingerprint(Object... submitted) {
            Object[] parts = Arrays.stream(submitted)
                    .map(p -> p instanceof Map<?, ?> m ? new TreeMap<>(m) : p).toArray();
            return TenantDirectory.sha256(Json.writeString(Arrays.asList(parts)));
        }
    }

    /** Ids are whatever could be read from the request, so the caller can still correlate the error. */
    record Rejected(ErrorCode code, String message, String requestId, String tenantId, String conversationId,
            String userId) implements Verdict {
    }
}
