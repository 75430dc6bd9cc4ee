package io.askflow.launcher;

import io.askflow.config.Config;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Topics;
import io.askflow.message.Answer;
import io.askflow.message.Json;
import io.askflow.message.MessageFormatException;
import io.askflow.message.PromptRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Talks to askflow the way a backend does: produces PromptRequests to {@code askflow.requests} and
 * reads {@code askflow.answers} (read_committed, all partitions, from the end as of creation, so no
 * answer to a request sent afterwards can be missed). Not thread-safe.
 */
public final class PromptClient implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> answers;
    private final Map<String, Answer> received = new ConcurrentHashMap<>();
    private final List<Answer> log = new java.util.concurrent.CopyOnWriteArrayList<>();

    public PromptClient(Config config) {
        producer = KafkaClients.producer(config, "prompt-client");
        answers = KafkaClients.reader(config, "prompt-client-answers");
        List<TopicPartition> partitions = answers.partitionsFor(Topics.ANSWERS.name()).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        answers.assign(partitions);
        answers.seekToEnd(partitions);
        partitions.forEach(answers::position); // resolve the end offsets now, before anything is sent
    }

    /** Sends a request as raw bytes, exactly as given, keyed by {@code key}. */
    public void sendRaw(String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(Topics.REQUESTS.name(), key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Could not send to " + Topics.REQUESTS.name(), e);
        }
    }

    public void send(PromptRequest request) {
        String key = request.conversationId() != null ? request.conversationId() : request.requestId();
        sendRaw(key, Json.write(request));
    }

    /** Sends a prompt in a conversation and returns its request id. */
    public String ask(String conversationId, String prompt) {
        String requestId = UUID.randomUUID().toString();
        send(PromptRequest.of(requestId, conversationId, prompt));
        return requestId;
    }

    public Optional<Answer> await(String requestId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!received.containsKey(requestId) && System.nanoTime() < deadline) {
            pollOnce(Duration.ofMillis(100));
        }
        return Optional.ofNullable(received.get(requestId));
    }

    /** The first answer, read so far or within the timeout, that matches. */
    public Optional<Answer> awaitMatching(java.util.function.Predicate<Answer> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Answer> found = log.stream().filter(match).findFirst();
            if (found.isPresent()) {
                return found;
            }
            pollOnce(Duration.ofMillis(100));
        }
        return log.stream().filter(match).findFirst();
    }

    /** Keeps reading answers for {@code duration}; used to check that nothing more arrives. */
    public void drain(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            pollOnce(Duration.ofMillis(100));
        }
    }

    /** Every answer read so far, in arrival order, duplicates included. */
    public List<Answer> answers() {
        return List.copyOf(log);
    }

    private void pollOnce(Duration timeout) {
        for (ConsumerRecord<String, byte[]> r : answers.poll(timeout)) {
            try {
                Answer a = Json.read(r.value(), Answer.class);
                log.add(a);
                if (a.requestId() != null) {
                    received.putIfAbsent(a.requestId(), a);
                }
            } catch (MessageFormatException e) {
                // someone else's garbage on the answers topic is not our answer
            }
        }
    }

    @Override
    public void close() {
        producer.close(KafkaClients.CLOSE_TIMEOUT);
        answers.close(KafkaClients.CLOSE_TIMEOUT);
    }
}
