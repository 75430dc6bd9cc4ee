package io.askflow.systemtests;

import io.askflow.kafka.HeaderKeys;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Topics;
import io.askflow.launcher.DeadLetterTool;
import io.askflow.localmodel.Reply;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Poison of every shape on every consumed topic goes to dead letters with full headers; healthy traffic is still answered. */
class DeadLetterTest {
    private static final int SHAPES = 5;
    private static RunningPipeline p;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
    }

    @Test
    void everyPoisonShapeOnEveryTopicIsDeadLetteredWhileHealthyRequestsAreAnswered() throws Exception {
        p.model.respondWith(req -> Reply.text("healthy"));
        String tag = UUID.randomUUID().toString().substring(0, 8);
        // Every topic a service consumes and can be sent poison on; askflow.answers has two consumer
        // groups (gateway and context-builder), and each dead-letters its own copy.
        List<String> topics = List.of(Topics.TURNS.name(), Topics.MODEL_CALLS.name(), Topics.TOOL_CALLS.name(),
                Topics.ANSWERS.name(), Topics.DELETIONS.name());
        List<byte[]> shapes = new ArrayList<>();
        shapes.add("{truncated".getBytes(StandardCharsets.UTF_8));
        shapes.add(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        shapes.add("{\"requestId\":null,\"round\":\"many\"}".getBytes(StandardCharsets.UTF_8));
        shapes.add("[]".getBytes(StandardCharsets.UTF_8));
        shapes.add(null); // a tombstone
        assertThat(shapes).hasSize(SHAPES);
        int cases = SHAPES * topics.size();
        int records = 4 * cases;
        List<String> healthy = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(p.config, "poisoner")) {
            for (int i = 0; i < records; i++) {
                // Shape and topic vary independently, so every shape reaches every topic.
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(topicOf(i, topics), "poison-" + tag + "-" + i,
                        shapes.get(i % shapes.size()));
                r.headers().add(HeaderKeys.TRACEPARENT, ("00-" + tag + "-poison-" + i).getBytes(StandardCharsets.UTF_8));
                producer.send(r);
                if (i % 10 == 0) {
                    healthy.add(p.client.ask("healthy-" + tag + "-" + i, "hello " + i));
                }
            }
            producer.flush();
        }
        for (String id : healthy) {
            assertThat(p.client.await(id, Duration.ofSeconds(60))).as("answer to " + id).hasValueSatisfying(a ->
                    assertThat(a.text()).isEqualTo("healthy"));
        }

        int expected = records + records / topics.size(); // the answers topic's records twice
        List<ConsumerRecord<String, byte[]>> dead = readDeadLetters(r -> r.key() != null && r.key().startsWith("poison-" + tag), expected);
        Map<String, Integer> perKey = new HashMap<>();
        java.util.Set<String> reached = new java.util.TreeSet<>();
        for (ConsumerRecord<String, byte[]> r : dead) {
            perKey.merge(r.key(), 1, Integer::sum);
            int i = Integer.parseInt(r.key().substring(r.key().lastIndexOf('-') + 1));
            reached.add("shape " + i % shapes.size() + " on " + topicOf(i, topics));
            assertThat(header(r, HeaderKeys.DLQ_TOPIC)).isEqualTo(topicOf(i, topics));
            assertThat(header(r, HeaderKeys.DLQ_PARTITION)).matches("\\d+");
            assertThat(header(r, HeaderKeys.DLQ_OFFSET)).matches("\\d+");
            assertThat(header(r, HeaderKeys.DLQ_TIMESTAMP)).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            assertThat(header(r, HeaderKeys.DLQ_EXCEPTION_CLASS)).isEqualTo("io.askflow.message.MessageFormatException");
            assertThat(header(r, HeaderKeys.DLQ_EXCEPTION_MESSAGE)).isNotBlank();
            assertThat(header(r, HeaderKeys.TRACEPARENT)).isEqualTo("00-" + tag + "-poison-" + i);
            assertThat(r.value()).isEqualTo(shapes.get(i % shapes.size()));
        }
        assertThat(reached).as("every shape dead-lettered from every topic").hasSize(cases);
        assertThat(dead).hasSize(expected);
        assertThat(perKey).hasSize(records);
        perKey.forEach((key, n) -> {
            int i = Integer.parseInt(key.substring(key.lastIndexOf('-') + 1));
            assertThat(n).as(key).isEqualTo(topicOf(i, topics).equals(Topics.ANSWERS.name()) ? 2 : 1);
        });

        ConsumerRecord<String, byte[]> one = dead.stream()
                .filter(r -> Topics.TURNS.name().equals(header(r, HeaderKeys.DLQ_TOPIC))).findFirst().orElseThrow();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = DeadLetterTool.run(p.config, new String[] {"republish", one.partition() + ":" + one.offset()},
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("re-published 1 dead letter(s)");
        // Still poison, so it comes back: a second dead letter for the same key, marked as re-published.
        List<ConsumerRecord<String, byte[]>> again = readDeadLetters(r -> one.key().equals(r.key()), 2);
        assertThat(again).hasSize(2);
        assertThat(header(again.get(1), HeaderKeys.REPUBLISHED_FROM)).isEqualTo(one.partition() + ":" + one.offset());
        assertThat(again.get(1).value()).isEqualTo(one.value());
    }

    /** Steps to the next topic after each round of shapes, so that shape and topic do not move together. */
    private static String topicOf(int i, List<String> topics) {
        return topics.get(i / SHAPES % topics.size());
    }

    private static List<ConsumerRecord<String, byte[]>> readDeadLetters(
            java.util.function.Predicate<ConsumerRecord<String, byte[]>> match, int expected) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(p.config, "dlq-reader-" + UUID.randomUUID(), "dlq-reader")) {
            c.subscribe(List.of(Topics.DEAD_LETTERS.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (found.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (match.test(r)) {
                        found.add(r);
                    }
                });
            }
            c.poll(Duration.ofSeconds(1)).forEach(r -> {
                if (match.test(r)) {
                    found.add(r);
                }
            });
        }
        return found;
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
