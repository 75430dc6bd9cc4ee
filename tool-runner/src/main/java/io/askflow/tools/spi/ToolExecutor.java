package io.askflow.tools.spi;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.message.ChatMessage;
import io.askflow.message.Source;
import io.askflow.message.ToolCall;
import io.askflow.telemetry.SemConv;
import io.askflow.telemetry.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one round of tool calls: all at once, each on its own virtual thread and with its own
 * timeout, and returns one result per call in the order the model asked, because the transcript
 * must answer every call id. Whatever goes wrong with a call (unknown tool, tool not offered,
 * invalid arguments, failure, timeout) becomes an {@code error: ...} result the model can react to;
 * nothing a tool does fails the round.
 */
public final class ToolExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(ToolExecutor.class);

    /** The tool messages to append, and the turn's source list with this round's sources merged in. */
    public record Round(List<ChatMessage> results, List<Source> sources) {
    }

    private final ToolRegistry registry;
    private final Duration timeout;
    private final int maxChars;
    private final Tracing tracing;
    private final ToolMetrics metrics;

    public ToolExecutor(ToolRegistry registry, Duration timeout, int maxChars) {
        this(registry, timeout, maxChars, Tracing.disabled(), ToolMetrics.NONE);
    }

    public ToolExecutor(ToolRegistry registry, Duration timeout, int maxChars, Tracing tracing) {
        this(registry, timeout, maxChars, tracing, ToolMetrics.NONE);
    }

    public ToolExecutor(ToolRegistry registry, Duration timeout, int maxChars, ToolMetrics metrics) {
        this(registry, timeout, maxChars, Tracing.disabled(), metrics);
    }

    /** Each call, run or refused, is an {@code execute_tool <name>} span (GenAI conventions) of the current trace. */
    public ToolExecutor(ToolRegistry registry, Duration timeout, int maxChars, Tracing tracing, ToolMetrics metrics) {
        this.registry = registry;
        this.timeout = timeout;
        this.maxChars = maxChars;
        this.tracing = tracing;
        this.metrics = metrics;
    }

    /** A round in which no call is refused by a budget. */
    public Round run(List<ToolCall> calls, Set<String> offered, ToolContext ctx, List<Source> known, Duration callTimeout)
            throws InterruptedException {
        return run(calls, offered, Map.of(), ctx, known, callTimeout);
    }

    /**
     * @param offered the names of the tools this turn offered the model; others are refused
     * @param refused calls not to run, by position in {@code calls}, with the error text the model reads instead
     * @param ctx whose deadline is {@code callTimeout} from now (the earlier of the tool timeout and the turn's deadline)
     * @param known the sources earlier rounds of this turn used
     */
    public Round run(List<ToolCall> calls, Set<String> offered, Map<Integer, String> refused, ToolContext ctx, List<Source> known,
            Duration callTimeout) throws InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        ExecutorService pool = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("askflow-tool-", 0).factory());
        long startNanos = System.nanoTime();
        try {
            for (int i = 0; i < calls.size(); i++) {
                String refusal = refused.get(i);
                Span span = toolSpan(calls.get(i));
                outcomes.add(refusal != null ? new Outcome(error(refusal), null, callTimeout, span, "refused")
                        : start(calls.get(i), offered, ctx, callTimeout, pool, span));
            }
            List<ToolOutput> outputs = new ArrayList<>();
            List<Source> used = new ArrayList<>();
            for (int i = 0; i < calls.size(); i++) {
                ToolOutput out = await(calls.get(i), outcomes.get(i), startNanos);
                outputs.add(out);
                used.addAll(out.sources());
            }
            List<Source> all = merge(known, used);
            List<ChatMessage> results = new ArrayList<>();
            for (int i = 0; i < calls.size(); i++) {
                ToolOutput out = outputs.get(i);
                List<Integer> numbers = out.sources().stream().map(s -> numberOf(s, all)).toList();
                results.add(ChatMessage.toolResult(calls.get(i), Truncation.truncate(out.content(numbers), maxChars)));
            }
            return new Round(results, all);
        } finally {
            // Not close(): it would wait for a tool that ignores interruption; a timed-out tool is abandoned.
            pool.shutdownNow();
            outcomes.forEach(o -> o.span().end());
        }
    }

    /** Whether calls of this tool count towards the turn's web-request budget; unknown tools do not. */
    public boolean usesWeb(String toolName) {
        return registry.find(toolName).map(Tool::usesWeb).orElse(false);
    }

    /** The per-call timeout for a turn with {@code untilDeadline} left. */
    public Duration callTimeout(Duration untilDeadline) {
        return untilDeadline.compareTo(timeout) < 0 ? untilDeadline : timeout;
    }

    /** A call that has either already produced its result (it could not run) or is running, with its own timeout. */
    private record Outcome(ToolOutput immediate, Future<ToolOutput> running, Duration timeout, Span span, String errorType) {
    }

    private Span toolSpan(ToolCall call) {
        return tracing.tracer().spanBuilder("execute_tool " + call.name())
                .setSpanKind(SpanKind.INTERNAL)
                .setAttribute(SemConv.GEN_AI_OPERATION_NAME, SemConv.OPERATION_EXECUTE_TOOL)
                .setAttribute(SemConv.GEN_AI_TOOL_NAME, call.name())
                .setAttribute(SemConv.GEN_AI_TOOL_CALL_ID, call.id())
                .startSpan();
    }

    private Outcome start(ToolCall call, Set<String> offered, ToolContext ctx, Duration callTimeout, ExecutorService pool,
            Span span) {
        Optional<Tool> tool = registry.find(call.name());
        if (tool.isEmpty()) {
            List<String> available = registry.names().stream().filter(offered::contains).toList();
            return new Outcome(error("unknown tool \"" + call.name() + "\"; "
                    + (available.isEmpty() ? "no tools are available" : "available tools: " + String.join(", ", available))),
                    null, callTimeout, span, "unknown_tool");
        }
        if (!offered.contains(call.name())) {
            return new Outcome(error("tool \"" + call.name() + "\" is not available in this conversation"), null, callTimeout,
                    span, "tool_not_offered");
        }
        JsonNode arguments;
        try {
            arguments = ArgumentValidator.parse(tool.get().spec(), call.arguments());
        } catch (ToolException e) {
            return new Outcome(error(e.getMessage()), null, callTimeout, span, "invalid_arguments");
        }
        Duration own = tool.get().timeout();
        Duration limit = own.compareTo(callTimeout) < 0 ? own : callTimeout;
        // ctx's deadline is callTimeout from now by the handler's clock; keep that clock, shorten by the difference.
        ToolContext callCtx = ctx.withDeadline(ctx.deadline().minus(callTimeout.minus(limit)));
        // The tool's own thread works inside its span, so what it calls (HTTP, SQL) can join the trace.
        return new Outcome(null, pool.submit(Context.current().with(span).wrap(() -> tool.get().run(arguments, callCtx))),
                limit, span, null);
    }

    private ToolOutput await(ToolCall call, Outcome outcome, long startNanos) throws InterruptedException {
        String tool = registry.find(call.name()).isPresent() ? call.name() : "unknown";
        if (outcome.immediate() != null) {
            if (outcome.errorType() != null) {
                Tracing.failed(outcome.span(), outcome.errorType());
            }
            metrics.called(tool, "refused", System.nanoTime() - startNanos);
            return outcome.immediate();
        }
        Future<ToolOutput> f = outcome.running();
        try {
            long left = startNanos + outcome.timeout().toNanos() - System.nanoTime();
            ToolOutput out = f.get(Math.max(0, left), TimeUnit.NANOSECONDS);
            metrics.called(tool, "ok", System.nanoTime() - startNanos);
            return out;
        } catch (TimeoutException e) {
            f.cancel(true);
            Tracing.failed(outcome.span(), "timeout");
            metrics.called(tool, "timeout", System.nanoTime() - startNanos);
            LOG.info("Tool {} (call {}) timed out after {}", call.name(), call.id(), describe(outcome.timeout()));
            return error("tool " + call.name() + " did not finish within " + describe(outcome.timeout()));
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            Tracing.failed(outcome.span(), cause.getClass().getName());
            metrics.called(tool, "error", System.nanoTime() - startNanos);
            if (cause instanceof ToolException te) {
                return error(te.getMessage());
            }
            LOG.warn("Tool {} (call {}) failed", call.name(), call.id(), cause);
            return error("tool " + call.name() + " failed unexpectedly (" + cause.getClass().getSimpleName() + ")");
        }
    }

    private static int numberOf(Source s, List<Source> all) {
        return all.stream().filter(s::sameTarget).findFirst().orElseThrow().number();
    }

    /** Sources numbered 1..n in the order first used; a page used twice keeps its first number. */
    static List<Source> merge(List<Source> known, List<Source> used) {
        List<Source> all = new ArrayList<>();
        for (List<Source> list : List.of(known, used)) {
            for (Source s : list) {
                if (all.stream().noneMatch(s::sameTarget)) {
                    all.add(s.renumbered(all.size() + 1));
                }
            }
        }
        return all;
    }

    private static ToolOutput error(String message) {
        return ToolOutput.text("error: " + message);
    }

    /** "15 s" or "250 ms": how long a limit was, for messages the model reads. */
    public static String describe(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 && ms > 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
