package io.askflow.launcher;

import io.askflow.config.Config;
import io.askflow.kafka.HeaderKeys;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Topics;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Inspects {@code askflow.dead-letters} and re-publishes chosen dead letters, unchanged, to the
 * topic they came from (after the cause is fixed):
 *
 * <pre>
 * ./askflow dead-letters list
 * ./askflow dead-letters republish PARTITION:OFFSET [PARTITION:OFFSET ...]
 * ./askflow dead-letters republish --all
 * </pre>
 *
 * Reads {@code ASKFLOW_KAFKA_BOOTSTRAP_SERVERS} and the {@code ASKFLOW_KAFKA_*} client properties
 * (run it as a principal that may read the dead letters and write their topics). Re-published records carry a header
 * {@code askflow.republished-from} naming the dead letter they came from.
 */
public final class DeadLetterTool {

    private DeadLetterTool() {
    }

    public static void main(String[] args) {
        int status = run(Config.fromEnv(), args, System.out);
        System.exit(status);
    }

    public static int run(Config config, String[] args, PrintStream out) {
        if (args.length == 0 || !(args[0].equals("list") || args[0].equals("republish"))) {
            out.println("usage: dead-letters list | dead-letters republish --all | dead-letters republish PARTITION:OFFSET...");
            return 2;
        }
        List<ConsumerRecord<String, byte[]>> letters = readAll(config);
        if (args[0].equals("list")) {
            for (ConsumerRecord<String, byte[]> r : letters) {
                out.printf("%d:%d  from %s-%s@%s  %s: %s  key=%s  value=%s%n", r.partition(), r.offset(),
                        header(r, HeaderKeys.DLQ_TOPIC), header(r, HeaderKeys.DLQ_PARTITION), header(r, HeaderKeys.DLQ_OFFSET),
                        header(r, HeaderKeys.DLQ_EXCEPTION_CLASS), header(r, HeaderKeys.DLQ_EXCEPTION_MESSAGE), r.key(),
                        preview(r.value()));
            }
            out.printf("%d dead letter(s)%n", letters.size());
            return 0;
        }
        boolean all = args.length > 1 && args[1].equals("--all");
        Set<String> chosen = new HashSet<>(List.of(args).subList(1, args.length));
        int sent = 0;
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config, "dead-letter-tool")) {
            for (ConsumerRecord<String, byte[]> r : letters) {
                String id = r.partition() + ":" + r.offset();
                if (!all && !chosen.remove(id)) {
                    continue;
                }
                String origin = header(r, HeaderKeys.DLQ_TOPIC);
                if (origin == null) {
                    out.printf("%s has no %s header; skipped%n", id, HeaderKeys.DLQ_TOPIC);
                    continue;
                }
                ProducerRecord<String, byte[]> again = new ProducerRecord<>(origin, r.key(), r.value());
                for (Header h : r.headers()) {
                    if (!h.key().startsWith(HeaderKeys.DLQ_PREFIX)) {
                        again.headers().add(h);
                    }
                }
                again.headers().add(HeaderKeys.REPUBLISHED_FROM, id.getBytes(StandardCharsets.UTF_8));
                producer.send(again);
                sent++;
            }
            producer.flush();
        }
        chosen.remove("--all");
        chosen.forEach(id -> out.printf("no dead letter %s%n", id));
        out.printf("re-published %d dead letter(s)%n", sent);
        return chosen.isEmpty() ? 0 : 1;
    }

    /** Every dead letter up to the end offsets as of now, read without joining a consumer group. */
    static List<ConsumerRecord<String, byte[]>> readAll(Config config) {
        List<ConsumerRecord<String, byte[]>> letters = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = KafkaClients.reader(config, "dead-letter-tool")) {
            List<TopicPartition> parts = c.partitionsFor(Topics.DEAD_LETTERS.name()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        letters.add(r);
                    }
                }
            }
        }
        return letters;
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String preview(byte[] value) {
        if (value == null) {
            return "<null>";
        }
        String s = new String(value, StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
