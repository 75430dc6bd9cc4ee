package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Topics;
import io.askflow.localmodel.Reply;
import io.askflow.message.ChatMessage;
import io.askflow.message.Envelope;
import io.askflow.message.ModelCall;
import io.askflow.testkit.ReceivedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How many model calls one model-caller instance holds in flight: 2,000 model calls produced at
 * once to askflow.model-calls, the scripted model answering each after 3 s. Peak concurrency is
 * read at the server (arrivals within one response time). Run with:
 *
 * <pre>./askflow test -pl system-tests -am -Daskflow.excludedGroups= -Dgroups=benchmark -Dtest=ModelConcurrencyBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@Tag("benchmark")
class ModelConcurrencyBenchmark {

    @Test
    void modelCallsInFlightOnOneInstance() throws Exception {
        RunningPipeline p = RunningPipeline.get();
        Duration latency = Duration.ofSeconds(3);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        p.model.respondWith(req -> Reply.text("slow answer").withDelay(latency));
        int n = 2_000;
        int before = p.model.requests().size();
        long t0 = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(p.config, "concurrency-bench")) {
            for (int i = 0; i < n; i++) {
                ModelCall call = ModelCall.builder().envelope(Envelope.builder().requestId("bench-" + tag + "-" + i)
                                .tenantId("default").conversationId("c-" + tag + "-" + i).userId("u")
                                .deadline(Instant.now().plus(Duration.ofMinutes(5))).build())
                        .messages(List.of(ChatMessage.user("hello " + i))).build();
                producer.send(new ProducerRecord<>(Topics.MODEL_CALLS.name(), call.conversationId(), Topics.MODEL_CALLS.encode(call)));
            }
            producer.flush();
        }
        for (int i = 0; i < n; i++) {
            assertThat(p.client.await("bench-" + tag + "-" + i, Duration.ofMinutes(3))).isPresent();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<Instant> arrivals = p.model.requests().subList(before, p.model.requests().size()).stream()
                .map(ReceivedRequest::arrival).sorted().toList();
        int peak = 0;
        for (int i = 0, j = 0; i < arrivals.size(); i++) {
            while (arrivals.get(i).isAfter(arrivals.get(j).plus(latency))) {
                j++;
            }
            peak = Math.max(peak, i - j + 1);
        }
        System.out.printf("%nmodel calls in flight: peak %d (limit ASKFLOW_MAX_IN_FLIGHT=1024) for %d calls of %d ms; "
                + "all answered in %.1f s (%.0f calls/s)%n", peak, n, latency.toMillis(), seconds, n / seconds);
    }
}
