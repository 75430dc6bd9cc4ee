package io.askflow.model;

import com.openai.client.OpenAIClient;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.UnauthorizedException;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.message.ChatMessage;
import io.askflow.message.Envelope;
import io.askflow.message.ModelCall;
import io.askflow.openai.OpenAiClients;
import io.askflow.service.StartupFailure;
import io.askflow.tool.BuiltinTools;
import java.util.List;

/**
 * Calls {@code GET /models} once at start-up, through the same SDK client the model-caller uses, so
 * that an unreachable {@code OPENAI_BASE_URL} or a rejected {@code OPENAI_API_KEY} stops the start
 * with one line instead of failing the first user's turn. It also loads the SDK's HTTP and JSON
 * machinery before the first turn needs it.
 *
 * <p>Only a failed connection and 401/403 fail the start: a server without a model list (some
 * OpenAI-compatible servers answer 404) can still serve chat completions.
 */
public final class ModelEndpointCheck {
    private ModelEndpointCheck() {
    }

    public static void verify(Config config) {
        String baseUrl = config.get(Settings.OPENAI_BASE_URL);
        OpenAIClient client = OpenAiClients.create(config, "", config.get(Settings.STARTUP_TIMEOUT));
        try {
            client.models().list();
        } catch (UnauthorizedException | PermissionDeniedException e) {
            // The server's message may quote part of the key, so only the status is repeated.
            throw new StartupFailure(baseUrl + " rejected OPENAI_API_KEY (HTTP " + e.statusCode()
                    + "): set a valid key for that API.");
        } catch (OpenAIIoException e) {
            throw new StartupFailure("OPENAI_BASE_URL " + baseUrl + " is unreachable (" + rootCause(e)
                    + "): start that server or fix OPENAI_BASE_URL.", e);
        } catch (OpenAIServiceException e) {
            // Reachable and not refusing the key; the model list itself is optional.
        } finally {
            client.close();
        }
    }

    /**
     * One streamed chat completion with a tool offered, through the model-caller's own code path
     * (it always streams), so the first turn does not pay for loading the SDK's request, stream and
     * response classes (about 1.5 s on a two-core machine). Only for a free endpoint such as the
     * offline local model: it is a real call.
     */
    public static void warmUp(Config config, String model) {
        OpenAIClient client = OpenAiClients.create(config, "", config.get(Settings.STARTUP_TIMEOUT));
        try {
            ModelCall call = ModelCall.builder()
                    .envelope(Envelope.builder().requestId("warm-up").tenantId("warm-up").conversationId("warm-up")
                            .userId("warm-up").deadline(java.time.Instant.now().plusSeconds(60)).build())
                    .model(model)
                    .messages(List.of(ChatMessage.user("warm-up")))
                    .tools(List.of(BuiltinTools.CURRENT_TIME))
                    .build();
            new OpenAiChatModel(client).complete(call, model, true, piece -> { });
        } finally {
            client.close();
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
