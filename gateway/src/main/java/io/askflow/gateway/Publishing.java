package io.askflow.gateway;

import io.askflow.kafka.HeaderKeys;
import io.askflow.kafka.Outgoing;
import io.askflow.kafka.Topics;
import io.askflow.message.Turn;
import io.askflow.message.ErrorCode;
import io.askflow.telemetry.Tracing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the gateway publishes outside its runners: the records an HTTP request causes (a prompt, a
 * job, a deletion) and the outbox's sweep, through the one shared idempotent producer, with the
 * request's trace context. A request's records are all acknowledged before it is answered; when
 * the broker does not acknowledge them the request ends with one coded error, mapped here.
 */
final class Publishing {
    private static final Logger LOG = LoggerFactory.getLogger(Publishing.class);

    private final Producer<String, byte[]> producer;
    private final Tracing tracing;

    Publishing(Producer<String, byte[]> producer, Tracing tracing) {
        this.producer = producer;
        this.tracing = tracing;
    }

    /**
     * Publishes {@code records} for {@code call} and waits until the broker has every one, or
     * throws an {@link HttpCall.Failure} ({@code internal}).
     */
    void publish(HttpCall call, List<Outgoing> records) {
        List<Future<RecordMetadata>> acks = send(records, call.header(HeaderKeys.TRACEPARENT));
        try {
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        } catch (ExecutionException e) {
            LOG.warn("The broker did not acknowledge the records of {} {}: {}", call.method(), call.exchange().getRequestURI().getPath(),
                    e.getCause().toString());
            throw new HttpCall.Failure(500, ErrorCode.INTERNAL, "The broker did not acknowledge the request; it has been logged");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpCall.Failure(500, ErrorCode.INTERNAL, "The gateway stopped while publishing the request");
        }
    }

    /**
     * Publishes turns to {@code askflow.turns} outside any request (the outbox's sweep, a job's
     * release) and returns those the broker acknowledged, so that one failing send does not make the
     * others go again; the rest are logged and stay in the outbox.
     */
    List<Turn> turns(List<Turn> turns) throws InterruptedException {
        List<Future<RecordMetadata>> acks = send(
                turns.stream().map(t -> Outgoing.to(Topics.TURNS, t.conversationId(), t)).toList(), Optional.empty());
        List<Turn> done = new ArrayList<>();
        for (int i = 0; i < acks.size(); i++) {
            try {
                acks.get(i).get();
                done.add(turns.get(i));
            } catch (ExecutionException e) {
                LOG.warn("Could not publish turn {}: {}", turns.get(i).requestId(), e.getCause().toString());
            }
        }
        return done;
    }

    /** Sends {@code records} without waiting: the caller awaits each acknowledgement (the outbox confirms them one by one). */
    List<Future<RecordMetadata>> send(List<Outgoing> records, Optional<String> traceparent) {
        List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
        for (Outgoing o : records) {
            ProducerRecord<String, byte[]> r = o.toRecord();
            if (!o.headers().containsKey(HeaderKeys.TRACEPARENT)) {
                // The turn's trace goes on from the request's span, which continues the caller's traceparent;
                // untraced, the caller's traceparent is passed on as it came.
                tracing.inject(r.headers());
                if (traceparent.isPresent() && r.headers().lastHeader(HeaderKeys.TRACEPARENT) == null) {
                    r.headers().add(HeaderKeys.TRACEPARENT, traceparent.get().getBytes(StandardCharsets.UTF_8));
                }
            }
            acks.add(producer.send(r));
        }
        return acks;
    }
}
