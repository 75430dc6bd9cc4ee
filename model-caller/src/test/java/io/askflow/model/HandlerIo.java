package io.askflow.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.kafka.Incoming;
import io.askflow.kafka.Outgoing;
import io.askflow.kafka.Topics;
import io.askflow.message.Answer;
import io.askflow.message.ModelCall;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** A model call as the runner hands it to the handler, and the one answer the handler returns. */
final class HandlerIo {
    private HandlerIo() {
    }

    static Incoming<ModelCall> in(ModelCall call) {
        return new Incoming<>(Topics.MODEL_CALLS.name(), 0, 0, call.conversationId(), call, new RecordHeaders(),
                Instant.parse("2026-11-26T08:00:00Z"));
    }

    /** The turn events a handler published, in order (stored at once: the future is complete). */
    static final class Events implements io.askflow.kafka.TurnEventPublisher.Sink {
        final List<io.askflow.message.TurnEvent> published = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public java.util.concurrent.Future<?> send(String key, io.askflow.message.TurnEvent event) {
            published.add(event);
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        io.askflow.kafka.TurnEventPublisher publisher(java.time.Clock clock) {
            return new io.askflow.kafka.TurnEventPublisher(this, clock);
        }
    }

    static Answer answerOf(List<Outgoing> out) {
        assertThat(out).hasSize(1);
        assertThat(out.get(0).topic()).isEqualTo(Topics.ANSWERS.name());
        return Topics.ANSWERS.decode(out.get(0).value());
    }
}
