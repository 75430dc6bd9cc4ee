package io.askflow.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askflow.message.ErrorCode;
import io.askflow.message.Json;

/**
 * An error as OpenAI's API reports it ({@code {"error":{"message","type","param","code"}}} and its
 * status), so that an OpenAI SDK raises its usual exception. {@code code} is askflow's error code,
 * except where OpenAI's own code says the same ({@code invalid_api_key}, {@code model_not_found}).
 */
record OpenAiError(int status, String type, String code, String message, String param) {

    /** Thrown by the front door's handlers; the door answers with it. */
    static final class Raised extends RuntimeException {
        final OpenAiError error;

        Raised(OpenAiError error) {
            super(error.message());
            this.error = error;
        }
    }

    /** The one place where askflow's codes become OpenAI's statuses and types. */
    static OpenAiError of(ErrorCode code, String message, String param) {
        return switch (code) {
            case INVALID_REQUEST, TOO_LARGE -> new OpenAiError(400, "invalid_request_error", code.wire(), message, param);
            case UNAUTHORIZED -> new OpenAiError(401, "invalid_request_error", "invalid_api_key", message, param);
            case DUPLICATE_REQUEST, CONVERSATION_DELETED -> new OpenAiError(409, "invalid_request_error", code.wire(), message,
                    param);
            case RATE_LIMITED -> new OpenAiError(429, "rate_limit_error", code.wire(), message, param);
            case QUOTA_EXHAUSTED, BUDGET_EXCEEDED -> new OpenAiError(429, "insufficient_quota", code.wire(), message, param);
            case MODEL_ERROR -> new OpenAiError(503, "server_error", code.wire(), message, param);
            case DEADLINE_EXCEEDED -> new OpenAiError(504, "timeout", code.wire(), message, param);
            case INTERNAL, TOOL_BUDGET_EXHAUSTED -> new OpenAiError(500, "server_error", code.wire(), message, param);
        };
    }

    static Raised invalid(String message, String param) {
        return new Raised(of(ErrorCode.INVALID_REQUEST, message, param));
    }

    static Raised modelNotFound(String model) {
        return new Raised(new OpenAiError(404, "invalid_request_error", "model_not_found",
                "The model '" + model + "' does not exist here; GET /v1/models lists the models this deployment offers",
                "model"));
    }

    static Raised unknownUrl(String method, String path) {
        return new Raised(new OpenAiError(404, "invalid_request_error", "unknown_url",
                "Invalid URL (" + method + " " + path + ")", null));
    }

    ObjectNode body() {
        ObjectNode root = Json.mapper().createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return root;
    }
}
