package io.askflow.model;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import io.askflow.message.ChatMessage;
import io.askflow.message.Json;
import io.askflow.message.ModelCall;
import io.askflow.message.ResponseFormat;
import io.askflow.message.ToolCall;
import io.askflow.message.ToolSpec;
import io.askflow.openai.CompletionUsages;
import io.askflow.telemetry.SemConv;
import io.opentelemetry.api.trace.Span;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** {@link ChatModel} over openai-java's chat completions, for any OpenAI-compatible endpoint. */
public final class OpenAiChatModel implements ChatModel {
    private final Supplier<OpenAIClient> clients;

    public OpenAiChatModel(OpenAIClient client) {
        this(() -> client);
    }

    /** Each call on the next of several clients ({@link io.askflow.openai.OpenAiClientPool#next}). */
    public OpenAiChatModel(Supplier<OpenAIClient> clients) {
        this.clients = clients;
    }

    @Override
    @SuppressWarnings("deprecation") // systemFingerprint(): where the offline model says it is not GPT
    public Reply complete(ModelCall call, String model, boolean offerTools) {
        ChatCompletion completion = clients.get().chat().completions().create(params(call, model, offerTools).build());
        recordResponse(completion);
        if (completion.choices().isEmpty()) {
            throw new ModelFailure(io.askflow.message.ErrorCode.MODEL_ERROR, true, null,
                    "The model API returned no choices", null);
        }
        ChatCompletionMessage message = completion.choices().get(0).message();
        List<ToolCall> calls = message.toolCalls().orElse(List.of()).stream()
                .filter(ChatCompletionMessageToolCall::isFunction)
                .map(ChatCompletionMessageToolCall::asFunction)
                .map(f -> new ToolCall(f.id(), f.function().name(), f.function().arguments()))
                .toList();
        String text = message.content().orElse(message.refusal().orElse(null));
        ChatMessage reply = calls.isEmpty() ? ChatMessage.assistant(text) : ChatMessage.assistantCalling(text, calls);
        return new Reply(reply, CompletionUsages.of(completion, model), completion.model(),
                completion.systemFingerprint().orElse(null));
    }

    /** What only the wire response knows, on the model call's span ({@link TracedChatModel}). */
    private static void recordResponse(ChatCompletion completion) {
        Span span = Span.current();
        completion._id().asKnown().ifPresent(id -> span.setAttribute(SemConv.GEN_AI_RESPONSE_ID, id));
        span.setAttribute(SemConv.GEN_AI_RESPONSE_FINISH_REASONS, completion.choices().stream()
                .flatMap(c -> c._finishReason().asKnown().stream()).map(Object::toString).toList());
    }

    /** Streamed, with usage in the last chunk (stream_options.include_usage), so the limiter is settled as before. */
    @Override
    public Reply complete(ModelCall call, String model, boolean offerTools, Deltas deltas) {
        ChatCompletionCreateParams params = params(call, model, offerTools)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        StreamAssembly assembly = new StreamAssembly(deltas, model);
        try (StreamResponse<ChatCompletionChunk> stream = clients.get().chat().completions().createStreaming(params)) {
            stream.stream().forEach(assembly::add);
        }
        return assembly.reply();
    }

    private static ChatCompletionCreateParams.Builder params(ModelCall call, String model, boolean offerTools) {
        ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder().model(model);
        call.messages().forEach(m -> add(params, m));
        if (offerTools) {
            call.tools().forEach(t -> params.addTool(tool(t)));
        }
        if (call.responseFormat() != null) {
            params.responseFormat(responseFormat(call.responseFormat()));
        }
        return params;
    }

    private static void add(ChatCompletionCreateParams.Builder params, ChatMessage m) {
        switch (m.role()) {
            case SYSTEM -> params.addSystemMessage(nz(m.content()));
            case USER -> params.addUserMessage(nz(m.content()));
            case ASSISTANT -> {
                ChatCompletionAssistantMessageParam.Builder a = ChatCompletionAssistantMessageParam.builder();
                if (m.content() != null) {
                    a.content(m.content());
                }
                for (ToolCall c : m.toolCalls()) {
                    a.addToolCall(ChatCompletionMessageFunctionToolCall.builder()
                            .id(c.id())
                            .function(ChatCompletionMessageFunctionToolCall.Function.builder()
                                    .name(c.name()).arguments(c.arguments()).build())
                            .build());
                }
                params.addMessage(a.build());
            }
            case TOOL -> params.addMessage(ChatCompletionToolMessageParam.builder()
                    .toolCallId(m.toolCallId()).content(nz(m.content())).build());
        }
    }

    @SuppressWarnings("unchecked")
    private static ChatCompletionFunctionTool tool(ToolSpec spec) {
        FunctionParameters.Builder parameters = FunctionParameters.builder();
        Map<String, Object> schema = Json.mapper().convertValue(spec.parameters(), Map.class);
        schema.forEach((k, v) -> parameters.putAdditionalProperty(k, JsonValue.from(v)));
        return ChatCompletionFunctionTool.builder()
                .function(FunctionDefinition.builder().name(spec.name()).description(spec.description())
                        .parameters(parameters.build()).build())
                .build();
    }

    /** Structured output: the answer must be JSON matching the schema (strict, as batch extraction needs). */
    @SuppressWarnings("unchecked")
    private static ResponseFormatJsonSchema responseFormat(ResponseFormat format) {
        ResponseFormatJsonSchema.JsonSchema.Schema.Builder schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder();
        Map<String, Object> fields = Json.mapper().convertValue(format.schema(), Map.class);
        fields.forEach((k, v) -> schema.putAdditionalProperty(k, JsonValue.from(v)));
        return ResponseFormatJsonSchema.builder()
                .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder().name(format.name()).schema(schema.build())
                        .strict(true).build())
                .build();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
