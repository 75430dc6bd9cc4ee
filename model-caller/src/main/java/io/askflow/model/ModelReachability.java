package io.askflow.model;

import com.openai.client.OpenAIClient;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The model-caller's readiness check: whether the model API answered {@code GET /models} at the
 * last check. Any HTTP answer counts as reachable (some OpenAI-compatible servers have no model
 * list); only a failed connection does not. The check runs in the background, at most once per
 * {@link #RECHECK}, and a probe reads its last result: the SDK's first call alone can take longer
 * than a readiness probe may, and a probe polling every few seconds costs the API one request per
 * {@link #RECHECK}.
 */
final class ModelReachability {
    static final Duration RECHECK = Duration.ofSeconds(15);

    private final OpenAIClient client;
    private final String baseUrl;
    private final Clock clock;
    private Instant checkedAt = Instant.MIN;
    private boolean checking;
    private volatile Optional<String> last = Optional.of("not checked yet");

    ModelReachability(OpenAIClient client, String baseUrl, Clock clock) {
        this.client = client;
        this.baseUrl = baseUrl;
        this.clock = clock;
    }

    /** Starts the first check at once, so that it is usually done when the runners have joined. */
    ModelReachability start() {
        problem();
        return this;
    }

    Optional<String> problem() {
        synchronized (this) {
            if (!checking && Duration.between(checkedAt, clock.instant()).compareTo(RECHECK) >= 0) {
                checking = true;
                Thread.ofVirtual().name("model-reachability").start(this::check);
            }
        }
        return last;
    }

    private void check() {
        Optional<String> result;
        try {
            client.models().list();
            result = Optional.empty();
        } catch (OpenAIIoException e) {
            result = Optional.of(baseUrl + " is unreachable");
        } catch (OpenAIServiceException e) {
            result = Optional.empty(); // it answered
        } catch (RuntimeException e) {
            result = Optional.of(baseUrl + " could not be checked: " + e.getClass().getSimpleName());
        }
        last = result;
        synchronized (this) {
            checkedAt = clock.instant();
            checking = false;
        }
    }
}
