package io.askflow.gateway;

import io.askflow.message.ErrorCode;
import io.askflow.message.Turn;

/** The outcome of validating one submitted request. */
sealed interface Verdict {
    record Accepted(Turn turn) implements Verdict {
    }

    /** Ids are whatever could be read from the request, so the caller can still correlate the error. */
    record Rejected(ErrorCode code, String message, String requestId, String tenantId, String conversationId,
            String userId) implements Verdict {
    }
}
