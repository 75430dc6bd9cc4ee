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
 * list); only a failed connection does not. Checked at most once per {@link #RECHECK}, so a
 * readiness probe polling every few seconds costs the API one request in that time.
 */
final class ModelReachability {
    static final Duration RECHECK = Duration.ofSeconds(15);

    private final OpenAIClient client;
    private final String baseUrl;
    private final Clock clock;
    private Instant checkedAt = Instant.MIN;
    private Optional<String> last = Optional.empty();

    ModelReachability(OpenAIClient client, String baseUrl, Clock clock) {
        this.client = client;
        this.baseUrl = baseUrl;
        this.clock = clock;
    }

    synchronized Optional<String> problem() {
        Instant now = clock.instant();
        if (Duration.between(checkedAt, now).compareTo(RECHECK) < 0) {
            return last;
        }
        try {
            client.models().list();
            last = Optional.empty();
        } catch (OpenAIIoException e) {
            last = Optional.of(baseUrl + " is unreachable");
        } catch (OpenAIServiceException e) {
            last = Optional.empty(); // it answered
        }
        checkedAt = now;
        return last;
    }
}
