package io.askflow.context;

import io.askflow.kafka.Incoming;
import io.askflow.kafka.Outgoing;
import io.askflow.kafka.Runner;
import io.askflow.kafka.Topics;
import io.askflow.kafka.TurnAnswer;
import io.askflow.message.Answer;
import io.askflow.message.Deletion;
import io.askflow.message.ErrorCode;
import io.askflow.message.Turn;
import io.askflow.telemetry.SemConv;
import io.askflow.telemetry.Tracing;
import io.opentelemetry.api.trace.Span;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the context-builder publishes for each record it consumes. A turn or an answer may start a
 * conversation's next turn; starting one means assembling its model call. Because the runner
 * publishes a handler's outputs for the one record it handled, the next queued turn's model call is
 * the output of handling the answer that released it.
 */
final class TurnFlow {
    private static final Logger LOG = LoggerFactory.getLogger(TurnFlow.class);

    private final TurnQueue queue;
    private final ContextAssembler assembler;
    private final MonthlyBudget budget;
    private final Clock clock;
    private final Tracing tracing;

    TurnFlow(TurnQueue queue, ContextAssembler assembler, MonthlyBudget budget, Clock clock) {
        this(queue, assembler, budget, clock, Tracing.disabled());
    }

    TurnFlow(TurnQueue queue, ContextAssembler assembler, MonthlyBudget budget, Clock clock, Tracing tracing) {
        this.queue = queue;
        this.assembler = assembler;
        this.budget = budget;
        this.clock = clock;
        this.tracing = tracing;
    }

    List<Outgoing> onTurn(Turn turn, String source) throws SQLException {
        return outputs(queue.arrive(turn, source));
    }

    /**
     * Carries out a deletion in each conversation it names (for a user: also every conversation in
     * which this context-builder saw the user), each up to the sequence the gateway had reached.
     */
    List<Outgoing> onDeletion(Deletion d, String source) throws SQLException {
        Map<String, Long> through = new LinkedHashMap<>();
        if (d.conversationId() != null) {
            through.put(d.conversationId(), d.erasedThrough().get(d.conversationId()));
        } else {
            through.putAll(d.erasedThrough());
            for (String conversation : queue.conversationsOf(d.tenantId(), d.userId())) {
                through.putIfAbsent(conversation, null);
            }
        }
        List<Outgoing> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : through.entrySet()) {
            out.addAll(outputs(queue.erase(d.tenantId(), e.getKey(), e.getValue(), source)));
        }
        return out;
    }

    private List<Outgoing> outputs(TurnQueue.Outcome outcome) throws SQLException {
        List<Outgoing> out = new ArrayList<>(start(outcome.start()));
        for (Turn erased : outcome.erased()) {
            out.add(error(erased, ErrorCode.CONVERSATION_DELETED,
                    "The conversation was deleted before this request's turn ran; nothing of it was kept"));
        }
        return out;
    }

    /**
     * Only a pipeline's answer for a turn finishes it; an answer the gateway gave a refused
     * submission names ids the context-builder must not act on (see {@link TurnAnswer}).
     */
    List<Outgoing> onAnswer(Incoming<Answer> in) throws SQLException {
        return TurnAnswer.isTurnAnswer(in) ? start(queue.finish(in.value())) : List.of();
    }

    /**
     * The answer could not be stored in history: the turn is still finished and the next one
     * started, so its conversation does not wait forever for an answer that already went out.
     */
    List<Outgoing> onAnswerFailure(Incoming<Answer> in, Exception error) throws SQLException {
        if (!TurnAnswer.isTurnAnswer(in)) {
            return List.of();
        }
        LOG.error("Could not record answer {} in history; finishing its turn without it", in.value().requestId(), error);
        return start(queue.finish(in.value(), false));
    }

    /** A turn that could not be queued at all still ends with an answer. */
    List<Outgoing> onTurnFailure(Turn turn) {
        return List.of(internalError(turn));
    }

    private List<Outgoing> start(Optional<Turn> started) throws SQLException {
        if (started.isEmpty()) {
            return List.of();
        }
        Turn turn = started.get();
        if (!clock.instant().isBefore(turn.deadline())) {
            // It waited behind earlier turns of its conversation past its deadline; answering releases the next.
            return List.of(error(turn, ErrorCode.DEADLINE_EXCEEDED,
                    "The turn passed its deadline " + turn.deadline() + " before its context was built"));
        }
        try {
            Optional<String> overBudget = budget.exceeded(turn.tenantId());
            if (overBudget.isPresent()) {
                return List.of(error(turn, ErrorCode.BUDGET_EXCEEDED, overBudget.get()));
            }
            // History load, memories and any summary, in one span of the turn's trace.
            return List.of(Outgoing.to(Topics.MODEL_CALLS, turn.conversationId(), tracing.inSpan("build_context", () -> {
                Span.current().setAttribute(SemConv.GEN_AI_CONVERSATION_ID, turn.conversationId());
                return assembler.assemble(turn);
            })));
        } catch (Exception e) {
            if (Runner.retriesInPlace(e)) {
                // The database briefly away or busy (a restart ends connections with SQLSTATE 57P01, which
                // is neither SQLTransient nor SQLRecoverable): the runner handles the record again, which
                // starts the same turn again (TurnQueue finds the turn this record started).
                throw e instanceof SQLException sql ? sql : new SQLRecoverableException("Context assembly failed: " + e, e);
            }
            // Answering keeps the conversation moving: the error answer marks the turn done and starts the next.
            LOG.error("Could not assemble the context of turn {}", turn.requestId(), e);
            return List.of(internalError(turn));
        }
    }

    private Outgoing internalError(Turn turn) {
        return error(turn, ErrorCode.INTERNAL, "The context-builder could not prepare this turn");
    }

    private Outgoing error(Turn turn, ErrorCode code, String message) {
        Answer error = Answer.error(turn.requestId(), turn.tenantId(), turn.conversationId(), turn.userId(), code,
                message, clock.instant()).withJobId(turn.jobId());
        return TurnAnswer.of(error);
    }
}
