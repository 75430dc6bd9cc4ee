package io.askflow.gateway;

import io.askflow.db.Jdbc;
import io.askflow.message.Answer;
import io.askflow.message.AskflowMessage;
import io.askflow.message.JobEvent;
import io.askflow.message.Json;
import io.askflow.message.ResponseFormat;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** The gateway's bookkeeping of batch jobs: which turn belongs to which job, and how far each job is. */
final class Jobs {
    /** One document of a job, the request id of its turn, and its place in the job (the release order). */
    record Item(String documentId, String requestId, int position) {
    }

    private final DataSource db;
    private final Clock clock;

    Jobs(DataSource db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Writes the job and its items on {@code c}, inside the caller's transaction: the job's turns are
     * claimed in the same one (see {@link Submissions#claimAll}), so a job exists with all its turns or not at all.
     * Every item starts queued, in document order: {@link JobRelease} puts them into Kafka a window at a time.
     */
    void create(Connection c, String jobId, String tenantId, String instruction, ResponseFormat format, List<Item> items)
            throws SQLException {
        Jdbc.update(c, """
                INSERT INTO gateway_jobs (id, tenant_id, instruction, response_format, total) VALUES (?, ?, ?, ?::jsonb, ?)""",
                jobId, tenantId, instruction, format == null ? null : Json.writeString(format), items.size());
        Jdbc.batch(c, """
                INSERT INTO gateway_job_items (request_id, job_id, document_id, status, position) VALUES (?, ?, ?, 'queued', ?)""",
                items, i -> new Object[] {i.requestId(), jobId, i.documentId(), i.position()});
    }

    /**
     * Counts a job's result once; returns the progress event to publish, or empty for an answer
     * already counted (a redelivery) or not of a job this gateway knows.
     */
    Optional<JobEvent> record(Answer answer) throws SQLException {
        if (answer.jobId() == null || answer.requestId() == null) {
            return Optional.empty();
        }
        Optional<String> documentId = Jdbc.queryFirst(db, """
                UPDATE gateway_job_items SET status = ?, updated_at = now()
                WHERE request_id = ? AND job_id = ? AND status = 'pending' RETURNING document_id""",
                rs -> rs.getString(1), answer.isOk() ? "done" : "failed", answer.requestId(), answer.jobId());
        if (documentId.isEmpty()) {
            return Optional.empty();
        }
        return progress(answer.jobId(), answer.tenantId()).map(p -> event(p, documentId.get(), answer.requestId()));
    }

    /** A job's progress, only for its own tenant. */
    Optional<Map<String, Object>> progress(String jobId, String tenantId) throws SQLException {
        // The counts are kept on the job's row (V10's trigger on the items' status).
        return Jdbc.queryFirst(db, """
                SELECT total, done, failed, instruction, created_at FROM gateway_jobs
                WHERE id = ? AND tenant_id = ?""", rs -> {
            int total = rs.getInt(1);
            int done = rs.getInt(2);
            int failed = rs.getInt(3);
            return Map.<String, Object>of("jobId", jobId, "tenantId", tenantId, "total", total, "done", done,
                    "failed", failed, "pending", total - done - failed,
                    "status", done + failed == total ? "finished" : "running",
                    "instruction", rs.getString(4), "createdAt", rs.getTimestamp(5).toInstant().toString());
        }, jobId, tenantId);
    }

    /** Each document's result: its answer as the answer book holds it, or pending. */
    List<Map<String, Object>> results(String jobId, String tenantId) throws SQLException {
        return Jdbc.query(db, """
                SELECT i.document_id, i.request_id, i.status, a.answer::text
                FROM gateway_job_items i JOIN gateway_jobs j ON j.id = i.job_id
                LEFT JOIN gateway_answers a ON a.tenant_id = j.tenant_id AND a.request_id = i.request_id
                WHERE j.id = ? AND j.tenant_id = ? ORDER BY i.document_id""", rs -> {
            Map<String, Object> r = new java.util.LinkedHashMap<>();
            r.put("documentId", rs.getString(1));
            r.put("requestId", rs.getString(2));
            r.put("status", rs.getString(3));
            if (rs.getString(4) != null) {
                r.put("answer", Json.tree(rs.getString(4)));
            }
            return r;
        }, jobId, tenantId);
    }

    JobEvent event(Map<String, Object> p, String documentId, String requestId) {
        return new JobEvent(AskflowMessage.CURRENT_SCHEMA_VERSION, (String) p.get("jobId"), (String) p.get("tenantId"),
                (String) p.get("status"), (Integer) p.get("total"), (Integer) p.get("done"), (Integer) p.get("failed"),
                documentId, requestId, clock.instant());
    }
}
