package io.askflow.openai;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import io.askflow.config.Config;
import io.askflow.config.ConfigException;
import io.askflow.config.Settings;

/**
 * The one way askflow builds an openai-java client, for the model-caller and the context-builder's
 * summaries alike: endpoint, key and timeout from {@link Settings}, and the SDK's retries off.
 * The model-caller's {@code RetryPolicy} is the only retry layer, because the SDK retries every 429,
 * including insufficient_quota, and honours Retry-After without a cap.
 *
 * <p>The connection pool keeps as many idle connections as the model-caller holds calls in flight
 * ({@link Settings#MODEL_MAX_IN_FLIGHT}). OkHttp's default of five means that against an HTTP/1.1
 * server (vLLM, Ollama, a proxy) every call beyond the fifth concurrent one opens a new connection,
 * and under load the process spends its time connecting (docs/benchmarks.md, model calls in flight).
 */
public final class OpenAiClients {
    /** OkHttp's own default; the SDK wants it set together with the pool size. */
    private static final java.time.Duration IDLE_KEEP_ALIVE = java.time.Duration.ofMinutes(5);

    private OpenAiClients() {
    }

    /**
     * @param withoutKey appended to the error when the endpoint is OpenAI's own and no key is set:
     *                   what the client is for and how to do without it, or empty
     */
    public static OpenAIClient create(Config config, String withoutKey) {
        return create(config, withoutKey, config.get(Settings.MODEL_TIMEOUT));
    }

    /** As {@link #create(Config, String)}, with a timeout of its own (a start-up check's, say). */
    public static OpenAIClient create(Config config, String withoutKey, java.time.Duration timeout) {
        String baseUrl = config.get(Settings.OPENAI_BASE_URL);
        String apiKey = config.find(Settings.OPENAI_API_KEY).orElseGet(() -> {
            if (baseUrl.startsWith("https://api.openai.com")) {
                throw new ConfigException("OPENAI_API_KEY is required to call " + baseUrl + withoutKey);
            }
            return "not-needed"; // local OpenAI-compatible servers (Ollama, vLLM) accept any key
        });
        return OpenAIOkHttpClient.builder()
                .baseUrl(baseUrl)
                .apiKey(apiKey)
                .maxRetries(0)
                .timeout(timeout)
                .maxIdleConnections(config.get(Settings.MODEL_MAX_IN_FLIGHT))
                .keepAliveDuration(IDLE_KEEP_ALIVE)
                .build();
    }
}
