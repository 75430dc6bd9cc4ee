package io.askflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Clients that were connected before a broker crash carry on once it is back, on the same address. */
class BrokerRestartTest {

    @Test
    void recordProducedAfterKillAndRestartIsConsumed() throws Exception {
        Infrastructure infrastructure = Infrastructure.shared();
        assumeTrue(infrastructure.embeddedKafka().isPresent(), "Kafka is not embedded");
        EmbeddedKafka broker = infrastructure.embeddedKafka().orElseThrow();
        String bootstrap = infrastructure.kafka().bootstrapServers();
        String topic = KafkaClients.createTopic(bootstrap, "restart");

        try (KafkaProducer<String, String> producer = KafkaClients.producer(bootstrap);
                KafkaConsumer<String, String> consumer = KafkaClients.consumer(bootstrap, topic)) {
            producer.send(new ProducerRecord<>(topic, "k", "before")).get(30, TimeUnit.SECONDS);
            assertThat(KafkaClients.poll(consumer, 1, Duration.ofSeconds(30)))
                    .extracting(ConsumerRecord::value).containsExactly("before");

            broker.kill();
            assertThat(broker.isRunning()).isFalse();
            broker.restart();
            assertThat(broker.isRunning()).isTrue();
            assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);

            producer.send(new ProducerRecord<>(topic, "k", "after")).get(60, TimeUnit.SECONDS);

            assertThat(KafkaClients.poll(consumer, 1, Duration.ofSeconds(60)))
                    .extracting(ConsumerRecord::value).containsExactly("after");
        }
    }
}
