package io.askflow.gateway;

import io.askflow.kafka.Outgoing;
import io.askflow.kafka.Topics;
import io.askflow.message.Answer;
import io.askflow.message.ErrorCode;
import io.askflow.message.Turn;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a submission leads to, the same for Kafka and HTTP: an accepted turn, a coded rejection on
 * the answers topic, or nothing at all for a duplicate of an already accepted request.
 */
final class Admission {
    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

    record Result(Verdict verdict, boolean duplicate, List<Outgoing> records) {
    }

    private final RequestValidator validator;
    private final Submissions submissions;
    private final Clock clock;

    Admission(RequestValidator validator, Submissions submissions, Clock clock) {
        this.validator = validator;
        this.submissions = submissions;
        this.clock = clock;
    }

    /**
     * @param source identifies the record or call that brought the bytes; a redelivery has the same source
     * @param recordKey the Kafka key, used to route a rejection when the request names no conversation
     */
    Result admit(byte[] body, String fallbackRequestId, String source, String recordKey) throws SQLException {
        // A redelivered record whose claim committed before its transaction aborted: publish the same
        // turn again, without validating anew (its deadline may have passed since; the context-builder
        // answers that with deadline_exceeded).
        java.util.Optional<Turn> again = submissions.claimedBy(source);
        if (again.isPresent()) {
            Turn turn = again.get();
            return new Result(new Verdict.Accepted(turn), false,
                    List.of(Outgoing.to(Topics.TURNS, turn.conversationId(), turn)));
        }
        return admit(validator.validate(body, fallbackRequestId, clock.instant()), source, recordKey, false);
    }

    /**
     * An HTTP submission by a caller authenticated as {@code tenantId}. The caller publishes the
     * records and then confirms with {@link Submissions#published}; until then the turn waits in the
     * outbox, so a crash in between loses nothing.
     */
    Result admitFor(String tenantId, byte[] body, String fallbackRequestId, String source) throws SQLException {
        return admit(validator.validate(body, fallbackRequestId, clock.instant(), tenantId), source, null, true);
    }

    /** The records of outboxed submissions were acknowledged by the broker. */
    void published(java.util.Collection<String> requestIds) throws SQLException {
        submissions.published(requestIds);
    }

    private Result admit(Verdict verdict, String source, String recordKey, boolean outbox) throws SQLException {
        return switch (verdict) {
            case Verdict.Rejected r -> {
                // The record key is the conversation by contract: it labels rejections of unreadable requests.
                String key = r.conversationId() != null ? r.conversationId() : recordKey;
                Answer error = Answer.error(r.requestId(), r.tenantId(), key, r.userId(), r.code(), r.message(),
                        clock.instant());
                LOG.info("Rejected {} from {}: {} {}", r.requestId(), source, r.code().wire(), r.message());
                yield new Result(verdict, false, List.of(Outgoing.to(Topics.ANSWERS, key, error)));
            }
            case Verdict.Accepted a -> {
                Turn turn = a.turn();
                java.util.Optional<Turn> claimed = submissions.claim(turn, source, outbox);
                if (claimed.isEmpty() && !submissions.tenantOf(turn.requestId()).orElse(turn.tenantId())
                        .equals(turn.tenantId())) {
                    // Another tenant's request id: say nothing about it, publish nothing under it.
                    LOG.info("Refused request id {} from {}: it belongs to another tenant", turn.requestId(), source);
                    yield new Result(new Verdict.Rejected(ErrorCode.INVALID_REQUEST,
                            "requestId is already in use; choose another", null, turn.tenantId(), null, turn.userId()),
                            false, List.of());
                }
                if (claimed.isEmpty()) {
                    LOG.info("Dropped duplicate submission of request {} from {}", turn.requestId(), source);
                    yield new Result(verdict, true, List.of());
                }
                yield new Result(verdict, false,
                        List.of(Outgoing.to(Topics.TURNS, turn.conversationId(), claimed.get())));
            }
        };
    }
}
