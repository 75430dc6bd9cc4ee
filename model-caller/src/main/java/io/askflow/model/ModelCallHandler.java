package io.askflow.model;

import io.askflow.kafka.Incoming;
import io.askflow.kafka.Outgoing;
import io.askflow.kafka.Topics;
import io.askflow.kafka.TurnEventPublisher;
import io.askflow.message.Answer;
import io.askflow.message.ChatMessage;
import io.askflow.message.ErrorCode;
import io.askflow.message.Json;
import io.askflow.message.MessageFormatException;
import io.askflow.message.MetadataKeys;
import io.askflow.message.ModelCall;
import io.askflow.message.TurnEvent;
import io.askflow.message.Usage;
import io.askflow.usage.PriceTable;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One step of a turn: ask the model, then either send its tool calls to the tool-runner or publish
 * its final answer. After the last allowed tool round the model is asked without tools, so a turn
 * always ends with a text answer or a coded error, never with unbounded tool rounds.
 */
final class ModelCallHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCallHandler.class);

    /**
     * @param notice put into every answer's metadata as {@code model.notice}; may be null
     * @param prices what the turn's tokens cost, put into its answer's metadata ({@code cost.usd})
     */
    record Options(String defaultModel, int maxToolRounds, String notice, PriceTable prices) {
        Options(String defaultModel, int maxToolRounds, String notice) {
            this(defaultModel, maxToolRounds, notice, PriceTable.NONE);
        }
    }

    private final ChatModel model;
    private final RetryPolicy retries;
    private final Clock clock;
    private final Options options;
    private final TurnEventPublisher events;

    ModelCallHandler(ChatModel model, RetryPolicy retries, Clock clock, Options options, TurnEventPublisher events) {
        this.model = model;
        this.retries = retries;
        this.clock = clock;
        this.options = options;
        this.events = events;
    }

    /**
     * Streams the model call, publishing its text as turn events, and hands the turn on with the
     * seq its events reached. A failure mid-stream is retried like one before the first chunk (a
     * partial reply is of no use to the turn: its tool calls may be cut); the {@code retry} event
     * tells readers that the text of this round so far is superseded.
     */
    List<Outgoing> handle(Incoming<ModelCall> in) {
        TurnEventPublisher.Scope scope = events.scope(in);
        List<Outgoing> out = handle(in.value(), scope);
        return out.stream().map(o -> o.topic().equals(Topics.ANSWERS.name()) ? o : scope.handOn(o)).toList();
    }

    private List<Outgoing> handle(ModelCall call, TurnEventPublisher.Scope scope) {
        if (!clock.instant().isBefore(call.deadline())) {
            return answer(scope, Answer.error(call, ErrorCode.DEADLINE_EXCEEDED,
                    "The turn passed its deadline " + call.deadline() + " before the model was called", clock.instant()));
        }
        String modelName = call.model() != null ? call.model() : options.defaultModel();
        String budgetOut = budgetExhausted(call);
        boolean offerTools = budgetOut == null && !call.tools().isEmpty();
        // The model is told why its tools are gone, so it answers instead of apologising for a missing tool.
        ModelCall asked = budgetOut == null || call.tools().isEmpty() ? call : call.withReply(ChatMessage.system(
                "The tool budget of this turn is used up (" + budgetOut + "). Answer now from the tool results above, "
                        + "without calling tools, and say briefly that the answer may be incomplete because the budget ran out."),
                Usage.ZERO);
        ChatModel.Reply reply;
        int round = call.round();
        int[] attempt = {0};
        try {
            reply = retries.run(() -> {
                int a = attempt[0];
                scope.progress(round, a, TurnEvent.Step.MODEL_CALL, null, modelName);
                return model.complete(asked, modelName, offerTools, piece -> scope.delta(round, a, piece));
            }, clock::instant, call.deadline(), (next, failure, wait) -> {
                attempt[0] = next;
                scope.retry(round, next, failure.getMessage() + "; trying again in " + wait.toMillis() + " ms");
            });
        } catch (ModelFailure f) {
            // For a failure on the way (reset, timeout, refused) the I/O exception says which; an API
            // error's text is not logged, since an API may echo the request's key in it.
            Throwable io = f.getCause() instanceof com.openai.errors.OpenAIIoException e ? e.getCause() : null;
            LOG.info("Model call for {} failed: {} {}{}", call.requestId(), f.code().wire(), f.getMessage(),
                    io == null ? "" : " (" + io + ")");
            return answer(scope, Answer.error(call, f.code(), f.getMessage(), clock.instant()));
        }
        ModelCall next = call.withReply(reply.message(), reply.usage());
        if (reply.message().requestsTools()) {
            if (!offerTools) {
                return answer(scope, Answer.error(next, ErrorCode.TOOL_BUDGET_EXHAUSTED,
                        budgetOut == null ? "The model asked for tools although none were offered"
                                : "The model asked for tools after its tool budget ran out (" + budgetOut + ")",
                        clock.instant()));
            }
            if (malformedArguments(reply.message()) && call.messages().stream().anyMatch(ModelCallHandler::malformedArguments)) {
                // The tool-runner already told the model once that its arguments were not JSON.
                return answer(scope, Answer.error(next, ErrorCode.MODEL_ERROR,
                        "The model sent tool-call arguments that are not valid JSON a second time in this turn",
                        clock.instant()));
            }
            return List.of(Outgoing.to(Topics.TOOL_CALLS, call.conversationId(), next));
        }
        Map<String, String> metadata = new HashMap<>(call.metadata());
        metadata.put(MetadataKeys.MODEL, reply.model());
        if (options.notice() != null) {
            metadata.put(MetadataKeys.MODEL_NOTICE, options.notice());
        }
        if (reply.systemFingerprint() != null) {
            metadata.put(MetadataKeys.SYSTEM_FINGERPRINT, reply.systemFingerprint());
        }
        if (budgetOut != null && !call.tools().isEmpty()) {
            metadata.put(MetadataKeys.BUDGET, budgetOut + "; answered with what the tools returned so far");
        }
        return answer(scope, Answer.ok(next, reply.message().content(), reply.model(), clock.instant(), metadata));
    }

    /** Which budget has run out, in words, or null when the model may still use tools. */
    private String budgetExhausted(ModelCall call) {
        if (call.round() >= options.maxToolRounds()) {
            return "tool rounds exhausted (" + options.maxToolRounds() + ")";
        }
        String refused = call.metadata().get(MetadataKeys.BUDGET_EXHAUSTED);
        return refused == null ? null : refused + " exhausted";
    }

    /** True when an assistant message asks for a tool with arguments that are not a JSON object. */
    static boolean malformedArguments(ChatMessage message) {
        return message.requestsTools() && message.toolCalls().stream().anyMatch(c -> {
            if (c.arguments().isBlank()) {
                return false;
            }
            try {
                return !Json.tree(c.arguments()).isObject();
            } catch (MessageFormatException e) {
                return true;
            }
        });
    }

    List<Outgoing> onFailure(Incoming<ModelCall> in, Exception error) {
        return answer(Answer.error(in.value(), ErrorCode.INTERNAL, "The model-caller failed on this turn", clock.instant()));
    }

    private List<Outgoing> answer(Answer a) {
        return List.of(io.askflow.kafka.TurnAnswer.of(costed(a)));
    }

    /** With what the turn's model calls cost, when a price table is configured and the turn made any. */
    private Answer costed(Answer a) {
        if (!options.prices().isConfigured() || a.usage().calls() == 0) {
            return a;
        }
        PriceTable.Cost cost = options.prices().cost(a.usage().perModel(a.model()));
        Map<String, String> metadata = new HashMap<>(a.metadata());
        if (cost.complete()) {
            metadata.put(MetadataKeys.COST_USD, PriceTable.format(cost.usd()));
        } else {
            metadata.put(MetadataKeys.COST_UNPRICED, String.join(",", cost.unpriced()));
        }
        return a.toBuilder().metadata(metadata).build();
    }

    /** The answer, and its event (acknowledged first, so the turn's events are all out when the answer commits). */
    private List<Outgoing> answer(TurnEventPublisher.Scope scope, Answer a) {
        Answer costed = costed(a);
        scope.answer(costed);
        scope.awaitSent();
        return List.of(io.askflow.kafka.TurnAnswer.of(costed));
    }
}
