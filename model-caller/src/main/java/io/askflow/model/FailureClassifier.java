package io.askflow.model;

import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.SseException;
import io.askflow.message.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The one place where the SDK's exceptions become askflow's failure classes:
 * <ul>
 *   <li>429 {@code insufficient_quota}: quota_exhausted, never retried;</li>
 *   <li>429 otherwise: rate_limited, retried after Retry-After (capped) or a backoff;</li>
 *   <li>5xx, timeouts and connection failures: model_error, retried;</li>
 *   <li>any other 4xx: model_error, not retried (the same request would fail again);</li>
 *   <li>an error event inside a stream, or a stream cut off before its finish reason: model_error, retried.</li>
 * </ul>
 */
final class FailureClassifier {
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);
    /** How long calls pause after a 429 that gave no Retry-After. */
    static final Duration DEFAULT_RATE_LIMIT_PAUSE = Duration.ofSeconds(1);

    private FailureClassifier() {
    }

    static ModelFailure classify(Throwable t) {
        if (t instanceof ModelFailure f) {
            return f;
        }
        if (t instanceof SseException) {
            // An error event inside a stream that began with HTTP 200: the API failed mid-reply.
            return new ModelFailure(ErrorCode.MODEL_ERROR, true, null, "The model API reported an error mid-stream", t);
        }
        if (t instanceof OpenAIServiceException e) {
            int status = e.statusCode();
            String apiCode = e.code().orElse(e.type().orElse(""));
            String what = "The model API answered HTTP " + status + (apiCode.isEmpty() ? "" : " (" + apiCode + ")");
            if (status == 429 && "insufficient_quota".equals(apiCode)) {
                return new ModelFailure(ErrorCode.QUOTA_EXHAUSTED, false, null, what + ": the account has no quota left", e);
            }
            if (status == 429) {
                return new ModelFailure(ErrorCode.RATE_LIMITED, true, retryAfter(e.headers().values("retry-after")),
                        what + ": rate limited", e);
            }
            if (status >= 500 || status == 408) {
                return new ModelFailure(ErrorCode.MODEL_ERROR, true, null, what, e);
            }
            return new ModelFailure(ErrorCode.MODEL_ERROR, false, null, what, e);
        }
        if (t instanceof OpenAIIoException) {
            return new ModelFailure(ErrorCode.MODEL_ERROR, true, null,
                    "The model API could not be reached or timed out", t);
        }
        return new ModelFailure(ErrorCode.INTERNAL, false, null,
                "The model call failed inside askflow (" + t.getClass().getSimpleName() + ")", t);
    }

    /** Retry-After in seconds or as an HTTP date; absent, unreadable or past values mean "no advice". */
    static Duration retryAfter(List<String> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        String v = values.get(0).trim();
        try {
            Duration d = Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
            return cap(d);
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return cap(Duration.between(Instant.now(), at));
            } catch (RuntimeException notADate) {
                return null;
            }
        }
    }

    private static Duration cap(Duration d) {
        if (d.isNegative()) {
            return Duration.ZERO;
        }
        return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
    }
}
