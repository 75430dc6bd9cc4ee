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
 * <p>For many calls at once, {@link #pool} spreads them over several clients: against an HTTP/1.1
 * server (vLLM, Ollama, a proxy) every call in flight holds a connection of its own, and OkHttp
 * looks for a free connection by walking all of its pool's connections under their locks, so one
 * pool of thousands costs each call thousands of checks (a fifth of the model-caller's CPU at 8,000
 * calls in flight; docs/benchmarks.md, model calls in flight). Each client keeps as many idle
 * connections as it may have calls in flight, where OkHttp's default of five would open a new
 * connection for nearly every call.
 */
public final class OpenAiClients {
    /** Calls one client (one OkHttp connection pool) is meant for at once: a pool walk of this many is cheap. */
    public static final int CALLS_PER_CLIENT = 256;
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
                .maxIdleConnections(CALLS_PER_CLIENT)
                .keepAliveDuration(IDLE_KEEP_ALIVE)
                .build();
    }

    /** Clients for up to {@link Settings#MODEL_MAX_IN_FLIGHT} calls at once, {@link #CALLS_PER_CLIENT} per client. */
    public static OpenAiClientPool pool(Config config, String withoutKey) {
        int clients = Math.max(1, (config.get(Settings.MODEL_MAX_IN_FLIGHT) + CALLS_PER_CLIENT - 1) / CALLS_PER_CLIENT);
        java.util.List<OpenAIClient> all = new java.util.ArrayList<>(clients);
        for (int i = 0; i < clients; i++) {
            all.add(create(config, withoutKey));
        }
        return new OpenAiClientPool(all);
    }
}
