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

    /** @param conversationId where the accepted turn is (for a duplicate: the earlier submission's conversation) */
    record Result(Verdict verdict, boolean duplicate, String conversationId, List<Outgoing> records) {
    }

    private final RequestValidator validator;
    private final Submissions submissions;
    private final Clock clock;
    private final InteractiveLoad load;

    Admission(RequestValidator validator, Submissions submissions, Clock clock, InteractiveLoad load) {
        this.validator = validator;
        this.submissions = submissions;
        this.clock = clock;
        this.load = load;
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
            return new Result(new Verdict.Accepted(turn), false, turn.conversationId(),
                    List.of(Outgoing.to(Topics.TURNS, turn.conversationId(), turn)));
        }
        return admit(validator.validate(body, fallbackRequestId, clock.instant()), source, recordKey, false);
    }

    /**
     * A request record whose admission failed (not a transient failure: those are retried) still
     * ends with an answer. If its claim committed, its turn is published after all, so the request
     * goes on and its sequence number is not left unused; otherwise it is refused with
     * {@code internal}, labelled with the ids the record names (its producer is trusted).
     */
    List<Outgoing> onFailure(byte[] body, String source, String recordKey) throws SQLException {
        java.util.Optional<Turn> claimed = submissions.claimedBy(source);
        if (claimed.isPresent()) {
            return List.of(Outgoing.to(Topics.TURNS, claimed.get().conversationId(), claimed.get()));
        }
        Verdict v = validator.validate(body, null, clock.instant());
        if (v instanceof Verdict.Accepted a) {
            Turn t = a.turn();
            v = new Verdict.Rejected(ErrorCode.INTERNAL, "The gateway could not admit this request; it was not run",
                    t.requestId(), t.tenantId(), recordKey != null ? recordKey : t.conversationId(), t.userId());
        }
        return admit(v, source, recordKey, false).records();
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
    void published(java.util.Collection<Turn> turns) throws SQLException {
        submissions.published(turns);
    }

    private Result admit(Verdict verdict, String source, String recordKey, boolean outbox) throws SQLException {
        return switch (verdict) {
            case Verdict.Rejected r -> {
                // The record key is the conversation by contract: it labels rejections of unreadable requests.
                String key = r.conversationId() != null ? r.conversationId() : recordKey;
                Answer error = Answer.error(r.requestId(), r.tenantId(), key, r.userId(), r.code(), r.message(),
                        clock.instant());
                LOG.info("Rejected {} from {}: {} {}", r.requestId(), source, r.code().wire(), r.message());
                // Published without the TurnAnswer header: it refuses this submission and finishes no turn.
                yield new Result(verdict, false, key, List.of(Outgoing.to(Topics.ANSWERS, key, error)));
            }
            case Verdict.Accepted a -> {
                Turn turn = a.turn();
                Submissions.Claim claim = submissions.claim(turn, a.fingerprint(), source, outbox);
                load.admitted(clock.instant());
                yield switch (claim.outcome()) {
                    case CLAIMED, AGAIN -> new Result(new Verdict.Accepted(claim.turn(), a.fingerprint()), false,
                            claim.conversationId(), List.of(Outgoing.to(Topics.TURNS, turn.conversationId(), claim.turn())));
                    case DUPLICATE -> {
                        LOG.info("Dropped duplicate submission of request {} from {}", turn.requestId(), source);
                        yield new Result(verdict, true, claim.conversationId(), List.of());
                    }
                    case CONFLICT -> {
                        LOG.info("Refused request {} from {}: its id was taken by a different request", turn.requestId(),
                                source);
                        // Labelled with the ids this submission named, all the caller's own; the earlier request goes on.
                        yield admit(new Verdict.Rejected(ErrorCode.DUPLICATE_REQUEST, "requestId " + turn.requestId()
                                + " was already used for a different request; use a new requestId for a new request",
                                turn.requestId(), turn.tenantId(), recordKey != null ? recordKey : turn.conversationId(),
                                turn.userId()), source, recordKey, outbox);
                    }
                };
            }
        };
    }
}
