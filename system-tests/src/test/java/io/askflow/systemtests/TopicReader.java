package io.askflow.systemtests;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.TopicSpec;
import io.askflow.kafka.Topics;
import io.askflow.message.Answer;
import io.askflow.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The committed records of one topic under one key, read from the beginning as any consumer would. */
public final class TopicReader {
    private TopicReader() {
    }

    /** Waits until at least {@code atLeast} records with the key are seen, or the timeout passes. */
    static List<ConsumerRecord<String, byte[]>> withKey(Config config, TopicSpec<?> topic, String key, int atLeast,
            Duration timeout) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = fromTheBeginning(config, topic)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (found.size() < atLeast && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) {
                        found.add(r);
                    }
                }
            }
        }
        return found;
    }

    /**
     * Every committed record of the topic under the keys {@code keys} accepts, up to the log end as it is now: the count
     * that proves "nothing more arrived" once a later record (a marker) has been seen, since any
     * duplicate ordered before the marker is then below the end, and no waiting can stand in for that.
     */
    public static List<ConsumerRecord<String, byte[]>> toEnd(Config config, TopicSpec<?> topic, Predicate<String> keys) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = fromTheBeginning(config, topic)) {
            // Under read_committed the end is the last stable offset: open transactions are not waited for.
            Map<TopicPartition, Long> ends = c.endOffsets(c.assignment(), Duration.ofSeconds(30));
            Await.until("the end of " + topic.name() + " at " + ends, Duration.ofSeconds(60), () -> {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (keys.test(r.key()) && r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        found.add(r);
                    }
                }
                // The position, not the last record's offset: transaction markers take offsets too.
                return ends.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue());
            });
        }
        return found;
    }

    /** The committed {@link Answer}s with this request id in its conversation, read to the log end. */
    static List<Answer> answersToEnd(Config config, String conversationId, String requestId) {
        return answersToEnd(config, conversationId::equals).stream().filter(a -> requestId.equals(a.requestId())).toList();
    }

    /** The committed {@link Answer}s of the conversations {@code conversations} accepts, read to the log end. */
    public static List<Answer> answersToEnd(Config config, Predicate<String> conversations) {
        return toEnd(config, Topics.ANSWERS, conversations).stream().filter(r -> r.value() != null)
                .map(r -> Topics.ANSWERS.decode(r.value())).toList();
    }

    /**
     * A read_committed reader of every partition of {@code topic}, placed at its end as it is now
     * (the positions are fixed before this returns, so what is produced afterwards is read).
     */
    static KafkaConsumer<String, byte[]> fromTheEnd(Config config, TopicSpec<?> topic, String clientId) {
        KafkaConsumer<String, byte[]> c = KafkaClients.reader(config, clientId);
        List<TopicPartition> parts = c.partitionsFor(topic.name()).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        c.assign(parts);
        c.seekToEnd(parts);
        parts.forEach(c::position);
        return c;
    }

    private static KafkaConsumer<String, byte[]> fromTheBeginning(Config config, TopicSpec<?> topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(Settings.KAFKA_BOOTSTRAP_SERVERS));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = c.partitionsFor(topic.name()).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        return c;
    }
}
