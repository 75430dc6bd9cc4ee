package io.askflow.tools;

import io.askflow.kafka.Incoming;
import io.askflow.kafka.Outgoing;
import io.askflow.kafka.Topics;
import io.askflow.kafka.TurnEventPublisher;
import io.askflow.message.Answer;
import io.askflow.message.ErrorCode;
import io.askflow.message.MetadataKeys;
import io.askflow.message.ModelCall;
import io.askflow.message.ToolCall;
import io.askflow.message.TurnEvent;
import io.askflow.message.ToolSpec;
import io.askflow.tools.spi.ToolBudget;
import io.askflow.tools.spi.ToolContext;
import io.askflow.tools.spi.ToolExecutor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tool round of a turn: run the tools the model's last message asks for and send the turn,
 * with their results, back to the model-caller. Only the tools the turn offered may run, so a model
 * cannot reach a tool its tenant was not given by naming it.
 */
final class ToolCallHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ToolCallHandler.class);

    private final ToolExecutor executor;
    private final ToolBudget budget;
    private final Clock clock;
    private final TurnEventPublisher events;

    ToolCallHandler(ToolExecutor executor, ToolBudget budget, Clock clock, TurnEventPublisher events) {
        this.executor = executor;
        this.budget = budget;
        this.clock = clock;
        this.events = events;
    }

    /** Runs the round, publishing each tool's start and finish as turn events, and hands the turn on with their seq. */
    List<Outgoing> handle(Incoming<ModelCall> in) throws InterruptedException {
        TurnEventPublisher.Scope scope = events.scope(in);
        List<Outgoing> out = handle(in, scope);
        return out.stream().map(o -> o.topic().equals(Topics.ANSWERS.name()) ? o : scope.handOn(o)).toList();
    }

    private List<Outgoing> handle(Incoming<ModelCall> in, TurnEventPublisher.Scope scope) throws InterruptedException {
        ModelCall call = in.value();
        if (call.messages().isEmpty() || !call.lastMessage().requestsTools()) {
            LOG.warn("Turn {} at {} asks for no tools", call.requestId(), in.coordinates());
            return answer(Answer.error(call, ErrorCode.INTERNAL,
                    "The tool-runner received a turn whose last message asks for no tools", clock.instant()));
        }
        Instant now = clock.instant();
        if (!now.isBefore(call.deadline())) {
            return answer(Answer.error(call, ErrorCode.DEADLINE_EXCEEDED,
                    "The turn passed its deadline " + call.deadline() + " before its tools ran", now));
        }
        Duration callTimeout = executor.callTimeout(Duration.between(now, call.deadline()));
        ToolContext ctx = new ToolContext(call.tenantId(), call.userId(), now.plus(callTimeout), call.requestId(),
                call.conversationId());
        Set<String> offered = call.tools().stream().map(ToolSpec::name).collect(Collectors.toSet());
        ToolBudget.Decision decision = budget.decide(call.messages(), executor::usesWeb);
        List<ToolCall> calls = call.lastMessage().toolCalls();
        calls.forEach(c -> scope.progress(call.round(), 0, TurnEvent.Step.TOOL_STARTED, c.name(), ToolProgress.started(c)));
        ToolExecutor.Round round = executor.run(calls, offered, decision.refused(), ctx, call.sources(), callTimeout);
        for (int i = 0; i < calls.size(); i++) {
            scope.progress(call.round(), 0, TurnEvent.Step.TOOL_FINISHED, calls.get(i).name(),
                    ToolProgress.finished(round.results().get(i)));
        }
        ModelCall next = call.nextRound(round.results(), round.sources());
        if (decision.exhausted() != null) {
            LOG.info("Turn {}: {} exhausted; refused {} call(s), asking for a final answer", call.requestId(),
                    decision.exhausted(), decision.refused().size());
            next = next.withMetadata(MetadataKeys.BUDGET_EXHAUSTED, decision.exhausted());
        }
        return List.of(Outgoing.to(Topics.MODEL_CALLS, call.conversationId(), next));
    }

    List<Outgoing> onFailure(Incoming<ModelCall> in, Exception error) {
        return answer(Answer.error(in.value(), ErrorCode.INTERNAL, "The tool-runner failed on this turn", clock.instant()));
    }

    private static List<Outgoing> answer(Answer a) {
        return List.of(io.askflow.kafka.TurnAnswer.of(a));
    }
}
