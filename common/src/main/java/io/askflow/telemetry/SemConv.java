package io.askflow.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * The OpenTelemetry semantic-convention attribute names askflow's spans carry, declared once.
 * The GenAI and messaging conventions are still incubating (their constants live only in the
 * incubating semconv artifact), so askflow names them itself, as the conventions spell them.
 */
public final class SemConv {
    // --- general -------------------------------------------------------------------------------
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");

    // --- messaging (Kafka) ---------------------------------------------------------------------
    public static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    public static final AttributeKey<String> MESSAGING_OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    public static final AttributeKey<String> MESSAGING_OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    public static final AttributeKey<String> MESSAGING_DESTINATION_NAME = AttributeKey.stringKey("messaging.destination.name");
    public static final AttributeKey<String> MESSAGING_DESTINATION_PARTITION_ID =
            AttributeKey.stringKey("messaging.destination.partition.id");
    public static final AttributeKey<String> MESSAGING_CONSUMER_GROUP_NAME = AttributeKey.stringKey("messaging.consumer.group.name");
    public static final AttributeKey<Long> MESSAGING_KAFKA_OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    public static final AttributeKey<String> MESSAGING_KAFKA_MESSAGE_KEY = AttributeKey.stringKey("messaging.kafka.message.key");

    // --- HTTP server ---------------------------------------------------------------------------
    public static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
    public static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    public static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE = AttributeKey.longKey("http.response.status_code");
    public static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    public static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");

    // --- GenAI ---------------------------------------------------------------------------------
    public static final AttributeKey<String> GEN_AI_OPERATION_NAME = AttributeKey.stringKey("gen_ai.operation.name");
    public static final AttributeKey<String> GEN_AI_PROVIDER_NAME = AttributeKey.stringKey("gen_ai.provider.name");
    public static final AttributeKey<String> GEN_AI_REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    public static final AttributeKey<String> GEN_AI_RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    public static final AttributeKey<String> GEN_AI_RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
    public static final AttributeKey<List<String>> GEN_AI_RESPONSE_FINISH_REASONS =
            AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    public static final AttributeKey<Long> GEN_AI_USAGE_INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    public static final AttributeKey<Long> GEN_AI_USAGE_OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    public static final AttributeKey<String> GEN_AI_CONVERSATION_ID = AttributeKey.stringKey("gen_ai.conversation.id");
    public static final AttributeKey<String> GEN_AI_INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
    public static final AttributeKey<String> GEN_AI_OUTPUT_MESSAGES = AttributeKey.stringKey("gen_ai.output.messages");
    public static final AttributeKey<String> GEN_AI_TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
    public static final AttributeKey<String> GEN_AI_TOOL_CALL_ID = AttributeKey.stringKey("gen_ai.tool.call.id");

    /** {@code gen_ai.operation.name} values. */
    public static final String OPERATION_CHAT = "chat";
    public static final String OPERATION_EXECUTE_TOOL = "execute_tool";
    /** {@code gen_ai.provider.name} of every OpenAI-compatible API askflow calls. */
    public static final String PROVIDER_OPENAI = "openai";

    private SemConv() {
    }
}
