package io.askflow.launcher;

import io.askflow.client.AnswerTimeoutException;
import io.askflow.client.AskflowClient;
import io.askflow.client.ClientOptions;
import io.askflow.client.Subscription;
import io.askflow.config.Config;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Topics;
import io.askflow.message.Answer;
import io.askflow.message.PromptRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The demo's and the system tests' view of askflow: the public {@link AskflowClient} plus what only
 * they need, a log of every answer read and a way to send bytes that are not a valid request.
 */
public final class PromptClient implements AutoCloseable {
    private final AskflowClient client;
    private final Subscription logging;
    private final List<Answer> log = new ArrayList<>();
    private final Config config;
    private KafkaProducer<String, byte[]> raw;

    public PromptClient(Config config) {
        this.config = config;
        // Tests await requests they sent as raw bytes, after the answer may have come: remember every one.
        client = AskflowClient.create(ClientOptions.builder().config(config).clientId("prompt-client")
                .recentAnswers(Integer.MAX_VALUE).build());
        logging = client.subscribe(a -> {
            synchronized (log) {
                log.add(a);
                log.notifyAll();
            }
        });
    }

    /** Sends a request as raw bytes, exactly as given, keyed by {@code key}. */
    public void sendRaw(String key, byte[] value) {
        try {
            rawProducer().send(new ProducerRecord<>(Topics.REQUESTS.name(), key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Could not send to " + Topics.REQUESTS.name(), e);
        }
    }

    private synchronized KafkaProducer<String, byte[]> rawProducer() {
        if (raw == null) {
            raw = KafkaClients.producer(config, "prompt-client-raw");
        }
        return raw;
    }

    public void send(PromptRequest request) {
        client.submit(request);
    }

    /** Sends a prompt in a conversation and returns its request id. */
    public String ask(String conversationId, String prompt) {
        String requestId = UUID.randomUUID().toString();
        send(PromptRequest.of(requestId, conversationId, prompt));
        return requestId;
    }

    public Optional<Answer> await(String requestId, Duration timeout) {
        try {
            return Optional.of(client.answer(requestId, timeout).get());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AnswerTimeoutException) {
                return Optional.empty();
            }
            throw new IllegalStateException("Waiting for " + requestId + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The first answer, read so far or within the timeout, that matches. */
    public Optional<Answer> awaitMatching(Predicate<Answer> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (log) {
            while (true) {
                Optional<Answer> found = log.stream().filter(match).findFirst();
                long left = deadline - System.nanoTime();
                if (found.isPresent() || left <= 0) {
                    return found;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(log, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return found;
                }
            }
        }
    }

    /** Lets answers arrive for {@code duration}; used to check that nothing more arrives. */
    public void drain(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every answer read so far, in arrival order, duplicates included. */
    public List<Answer> answers() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    @Override
    public void close() {
        logging.close();
        client.close();
        synchronized (this) {
            if (raw != null) {
                raw.close(KafkaClients.CLOSE_TIMEOUT);
            }
        }
    }
}
