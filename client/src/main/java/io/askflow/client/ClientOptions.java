package io.askflow.client;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * How an {@link AskflowClient} connects and how long it waits. Immutable; made with
 * {@link #builder()} or {@link #fromEnv()}. The Kafka settings are askflow's own
 * ({@code ASKFLOW_KAFKA_BOOTSTRAP_SERVERS} and whatever else {@code io.askflow.kafka.KafkaClients}
 * reads), so a backend configures its client exactly as the services are configured.
 */
public final class ClientOptions {
    /** A little over the gateway's default deadline (2 minutes), by which every turn has answered. */
    public static final Duration DEFAULT_ANSWER_TIMEOUT = Duration.ofSeconds(150);
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_RECENT_ANSWERS = 10_000;

    private final Config kafka;
    private final String clientId;
    private final Duration sendTimeout;
    private final Duration answerTimeout;
    private final Duration startTimeout;
    private final int recentAnswers;
    private final Executor callbackExecutor;

    private ClientOptions(Builder b) {
        kafka = b.kafka;
        clientId = b.clientId != null ? b.clientId : "askflow-client-" + UUID.randomUUID().toString().substring(0, 8);
        sendTimeout = b.sendTimeout;
        answerTimeout = b.answerTimeout;
        startTimeout = b.startTimeout;
        recentAnswers = b.recentAnswers;
        callbackExecutor = b.callbackExecutor;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Kafka settings from the environment, everything else at its default. */
    public static ClientOptions fromEnv() {
        return builder().fromEnv().build();
    }

    public Builder toBuilder() {
        Builder b = new Builder().config(kafka).clientId(clientId).sendTimeout(sendTimeout).answerTimeout(answerTimeout)
                .startTimeout(startTimeout).recentAnswers(recentAnswers);
        b.callbackExecutor = callbackExecutor;
        return b;
    }

    /** The Kafka settings, read through {@code KafkaClients}. */
    public Config kafka() {
        return kafka;
    }

    public String bootstrapServers() {
        return kafka.get(Settings.KAFKA_BOOTSTRAP_SERVERS);
    }

    /** Prefix of the Kafka client ids, so the broker's logs and quotas can tell this backend apart. */
    public String clientId() {
        return clientId;
    }

    /** How long {@link AskflowClient#submit} waits for the broker's acknowledgement. */
    public Duration sendTimeout() {
        return sendTimeout;
    }

    /** How long an answer future or single-request subscription waits before it fails with {@link AnswerTimeoutException}. */
    public Duration answerTimeout() {
        return answerTimeout;
    }

    /** How long creating a client waits for the broker to describe {@code askflow.answers}. */
    public Duration startTimeout() {
        return startTimeout;
    }

    /**
     * How many answers the client remembers by request id, so that {@link AskflowClient#answer}
     * called after an answer arrived (or a resubmitted request id, which askflow does not answer
     * twice) still gets it.
     */
    public int recentAnswers() {
        return recentAnswers;
    }

    /** Where callbacks and future completions run; empty: one thread of the client's own. */
    public Optional<Executor> callbackExecutor() {
        return Optional.ofNullable(callbackExecutor);
    }

    @Override
    public String toString() {
        return "ClientOptions[bootstrapServers=" + bootstrapServers() + ", clientId=" + clientId + ", sendTimeout="
                + sendTimeout + ", answerTimeout=" + answerTimeout + ", startTimeout=" + startTimeout
                + ", recentAnswers=" + recentAnswers + "]";
    }

    public static final class Builder {
        private Config kafka = Config.of(Map.of());
        private String clientId;
        private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;
        private Duration answerTimeout = DEFAULT_ANSWER_TIMEOUT;
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private int recentAnswers = DEFAULT_RECENT_ANSWERS;
        private Executor callbackExecutor;

        private Builder() {
        }

        /** Kafka settings from the process environment ({@code ASKFLOW_KAFKA_BOOTSTRAP_SERVERS}, ...). */
        public Builder fromEnv() {
            return config(Config.fromEnv());
        }

        /** Kafka settings from an askflow {@link Config}, e.g. the one a service or test already has. */
        public Builder config(Config value) {
            kafka = Objects.requireNonNull(value, "config");
            return this;
        }

        public Builder bootstrapServers(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers must not be blank");
            }
            kafka = kafka.with(Settings.KAFKA_BOOTSTRAP_SERVERS, value);
            return this;
        }

        public Builder clientId(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("clientId must not be blank");
            }
            clientId = value;
            return this;
        }

        public Builder sendTimeout(Duration value) {
            sendTimeout = positive("sendTimeout", value);
            return this;
        }

        public Builder answerTimeout(Duration value) {
            answerTimeout = positive("answerTimeout", value);
            return this;
        }

        public Builder startTimeout(Duration value) {
            startTimeout = positive("startTimeout", value);
            return this;
        }

        public Builder recentAnswers(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("recentAnswers must not be negative, was " + value);
            }
            recentAnswers = value;
            return this;
        }

        /**
         * Runs listeners and completes answer futures there instead of on the client's own callback
         * thread. It must run tasks in submission order if listeners rely on event order.
         */
        public Builder callbackExecutor(Executor value) {
            callbackExecutor = Objects.requireNonNull(value, "callbackExecutor");
            return this;
        }

        public ClientOptions build() {
            return new ClientOptions(this);
        }

        private static Duration positive(String name, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be a positive duration, was " + value);
            }
            return value;
        }
    }
}
