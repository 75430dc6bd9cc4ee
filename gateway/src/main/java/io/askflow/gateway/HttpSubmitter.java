package io.askflow.gateway;

import io.askflow.kafka.Outgoing;
import io.askflow.telemetry.Tracing;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * An HTTP submission admitted and its records acknowledged by the broker before the caller hears of
 * it, the same for every endpoint that submits prompts ({@code /v1/prompts}, {@code /v1/chat/completions}).
 */
final class HttpSubmitter {
    private final Admission admission;
    private final Producer<String, byte[]> producer;
    private final Tracing tracing;

    HttpSubmitter(Admission admission, Producer<String, byte[]> producer, Tracing tracing) {
        this.admission = admission;
        this.producer = producer;
        this.tracing = tracing;
    }

    /** @param fallbackId the request id when the body names none; also names the call as the claim's source */
    Admission.Result submit(HttpCall call, byte[] body, String fallbackId) throws Exception {
        Admission.Result result = admission.admitFor(call.tenantId(), body, fallbackId, "http:" + fallbackId);
        for (Outgoing o : result.records()) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(o.topic(), o.key(), o.value());
            // The turn's trace goes on from this request's span, which continues the caller's traceparent.
            tracing.inject(r.headers());
            producer.send(r).get();
        }
        if (result.verdict() instanceof Verdict.Accepted a && !result.duplicate()) {
            admission.published(List.of(a.turn()));
        }
        return result;
    }
}
