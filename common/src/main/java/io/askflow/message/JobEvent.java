package io.askflow.message;

import java.time.Instant;

/**
 * Progress of a batch job on {@code askflow.job-events}, keyed by job id: one event when the job is
 * accepted and one each time a document's result arrives.
 *
 * @param status {@code running} or {@code finished}
 * @param documentId the document whose result caused this event; null for the acceptance event
 */
public record JobEvent(int schemaVersion, String jobId, String tenantId, String status, int total, int done, int failed,
        String documentId, String requestId, Instant at) {
}
