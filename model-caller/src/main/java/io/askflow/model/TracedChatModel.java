package io.askflow.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askflow.message.ChatMessage;
import io.askflow.message.Json;
import io.askflow.message.ModelCall;
import io.askflow.message.ToolCall;
import io.askflow.telemetry.SemConv;
import io.askflow.telemetry.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import java.net.URI;
import java.util.List;

/**
 * Each model HTTP call as a GenAI CLIENT span ({@code chat <model>}, OpenTelemetry GenAI
 * conventions): one span per attempt, so a retried call shows as sibling spans under the record's
 * span, each with its own outcome, and the time spent waiting for the rate gate or a retry's
 * backoff lies between them. The implementation inside adds what only the wire response knows
 * (response id, finish reasons) to the current span. Messages go into the span only when the
 * operator opted in ({@link Tracing#captureContent()}); API keys and headers never do.
 */
final class TracedChatModel implements ChatModel {
    private final ChatModel model;
    private final Tracing tracing;
    private final String serverAddress;
    private final int serverPort;

    TracedChatModel(ChatModel model, Tracing tracing, URI baseUrl) {
        this.model = model;
        this.tracing = tracing;
        this.serverAddress = baseUrl.getHost();
        this.serverPort = baseUrl.getPort() != -1 ? baseUrl.getPort() : "http".equals(baseUrl.getScheme()) ? 80 : 443;
    }

    @Override
    public Reply complete(ModelCall call, String modelName, boolean offerTools) {
        return complete(call, modelName, offerTools, Deltas.NONE);
    }

    // The wrapped model streams only when this form reaches it: the default would drop the deltas.
    @Override
    public Reply complete(ModelCall call, String modelName, boolean offerTools, Deltas deltas) {
        Span span = tracing.tracer().spanBuilder("chat " + modelName)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(SemConv.GEN_AI_OPERATION_NAME, SemConv.OPERATION_CHAT)
                .setAttribute(SemConv.GEN_AI_PROVIDER_NAME, SemConv.PROVIDER_OPENAI)
                .setAttribute(SemConv.GEN_AI_REQUEST_MODEL, modelName)
                .setAttribute(SemConv.GEN_AI_CONVERSATION_ID, call.conversationId())
                .setAttribute(SemConv.SERVER_ADDRESS, serverAddress)
                .setAttribute(SemConv.SERVER_PORT, (long) serverPort)
                .startSpan();
        try (Scope scope = span.makeCurrent()) {
            if (tracing.captureContent()) {
                span.setAttribute(SemConv.GEN_AI_INPUT_MESSAGES, messages(call.messages()).toString());
            }
            Reply reply = model.complete(call, modelName, offerTools, deltas);
            if (reply.model() != null) {
                span.setAttribute(SemConv.GEN_AI_RESPONSE_MODEL, reply.model());
            }
            span.setAttribute(SemConv.GEN_AI_USAGE_INPUT_TOKENS, reply.usage().promptTokens());
            span.setAttribute(SemConv.GEN_AI_USAGE_OUTPUT_TOKENS, reply.usage().completionTokens());
            if (tracing.captureContent()) {
                span.setAttribute(SemConv.GEN_AI_OUTPUT_MESSAGES, messages(List.of(reply.message())).toString());
            }
            return reply;
        } catch (RuntimeException e) {
            // The error code the turn would get (rate_limited, model_error, ...): few values, unlike messages.
            Tracing.failed(span, FailureClassifier.classify(e).code().wire());
            throw e;
        } finally {
            span.end();
        }
    }

    /** The conventions' message shape: {@code [{"role":..,"parts":[{"type":"text","content":..}, ...]}]}. */
    static ArrayNode messages(List<ChatMessage> messages) {
        ArrayNode out = Json.mapper().createArrayNode();
        for (ChatMessage m : messages) {
            ObjectNode message = out.addObject().put("role", m.role().wire());
            ArrayNode parts = message.putArray("parts");
            if (m.role() == ChatMessage.Role.TOOL) {
                parts.addObject().put("type", "tool_call_response").put("id", m.toolCallId()).put("response", m.content());
                continue;
            }
            if (m.content() != null) {
                parts.addObject().put("type", "text").put("content", m.content());
            }
            for (ToolCall c : m.toolCalls()) {
                parts.addObject().put("type", "tool_call").put("id", c.id()).put("name", c.name()).put("arguments", c.arguments());
            }
        }
        return out;
    }
}
