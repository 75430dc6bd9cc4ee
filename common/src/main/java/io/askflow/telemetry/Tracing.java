package io.askflow.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.slf4j.MDC;

/**
 * One service's tracer and trace-context propagation, from {@link Telemetry#tracing}. Trace context
 * travels in Kafka record headers ({@code traceparent}, W3C), so one turn is one trace across every hop.
 */
public final class Tracing {
    /** MDC keys the JSON log format prints while a record or request is handled. */
    public static final String MDC_TRACE_ID = "trace_id";
    public static final String MDC_SPAN_ID = "span_id";
    private static final String SCOPE = "io.askflow";
    private static final Tracing DISABLED = Telemetry.disabled().tracing("askflow");

    private final OpenTelemetry otel;
    private final Tracer tracer;
    private final boolean captureContent;

    Tracing(OpenTelemetry otel, boolean captureContent) {
        this.otel = otel;
        this.tracer = otel.getTracer(SCOPE);
        this.captureContent = captureContent;
    }

    /** Records nothing, but passes an incoming trace context on; the default where none is wired. */
    public static Tracing disabled() {
        return DISABLED;
    }

    public Tracer tracer() {
        return tracer;
    }

    /** Whether prompts and answers may be put into spans (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT). */
    public boolean captureContent() {
        return captureContent;
    }

    /** The trace context a record's producer put into its headers; the root context when none. */
    public Context extract(Headers headers) {
        return otel.getPropagators().getTextMapPropagator().extract(Context.root(), headers, KafkaHeaders.INSTANCE);
    }

    /** Puts the current trace context into an outgoing record's headers, so the next hop continues the trace. */
    public void inject(Headers headers) {
        otel.getPropagators().getTextMapPropagator().inject(Context.current(), headers, KafkaHeaders.INSTANCE);
    }

    /** Reads a trace context from any carrier, e.g. an HTTP request's headers. */
    public <C> Context extract(C carrier, io.opentelemetry.context.propagation.TextMapGetter<C> getter) {
        return otel.getPropagators().getTextMapPropagator().extract(Context.root(), carrier, getter);
    }

    /**
     * The CONSUMER span of processing one record ({@code process <topic>}, messaging conventions),
     * a child of the context its producer sent.
     */
    public Span startProcessing(ConsumerRecord<String, ?> rec, String consumerGroup) {
        var span = tracer.spanBuilder("process " + rec.topic())
                .setParent(extract(rec.headers()))
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(SemConv.MESSAGING_SYSTEM, "kafka")
                .setAttribute(SemConv.MESSAGING_OPERATION_TYPE, "process")
                .setAttribute(SemConv.MESSAGING_OPERATION_NAME, "process")
                .setAttribute(SemConv.MESSAGING_DESTINATION_NAME, rec.topic())
                .setAttribute(SemConv.MESSAGING_DESTINATION_PARTITION_ID, Integer.toString(rec.partition()))
                .setAttribute(SemConv.MESSAGING_KAFKA_OFFSET, rec.offset())
                .setAttribute(SemConv.MESSAGING_CONSUMER_GROUP_NAME, consumerGroup);
        if (rec.key() != null) {
            span.setAttribute(SemConv.MESSAGING_KAFKA_MESSAGE_KEY, rec.key());
        }
        return span.startSpan();
    }

    /** An INTERNAL span of a stage's own work (e.g. building a model call's context), child of the current span. */
    public <T, E extends Exception> T inSpan(String name, ThrowingSupplier<T, E> work) throws E {
        Span span = tracer.spanBuilder(name).startSpan();
        try (var scope = span.makeCurrent()) {
            return work.get();
        } catch (RuntimeException | Error e) {
            failed(span, e.getClass().getName());
            throw e;
        } catch (Exception e) {
            failed(span, e.getClass().getName());
            throw e;
        } finally {
            span.end();
        }
    }

    /** Work that may throw a checked exception. */
    @FunctionalInterface
    public interface ThrowingSupplier<T, E extends Exception> {
        T get() throws E;
    }

    /** Marks a span failed, with the low-cardinality {@code error.type} the conventions ask for. */
    public static void failed(Span span, String errorType) {
        span.setAttribute(SemConv.ERROR_TYPE, errorType);
        span.setStatus(StatusCode.ERROR);
    }

    /**
     * Puts the span's trace and span id into the logging MDC until closed, so every log line written
     * while a record is handled names its trace. Nothing is put for a span without a valid context.
     */
    public static LogIds logIds(Span span) {
        SpanContext c = span.getSpanContext();
        if (!c.isValid()) {
            return () -> { };
        }
        String previousTrace = MDC.get(MDC_TRACE_ID);
        String previousSpan = MDC.get(MDC_SPAN_ID);
        MDC.put(MDC_TRACE_ID, c.getTraceId());
        MDC.put(MDC_SPAN_ID, c.getSpanId());
        return () -> {
            restore(MDC_TRACE_ID, previousTrace);
            restore(MDC_SPAN_ID, previousSpan);
        };
    }

    private static void restore(String key, String previous) {
        if (previous == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, previous);
        }
    }

    /** The MDC entries of {@link #logIds}; closing cannot fail. */
    @FunctionalInterface
    public interface LogIds extends AutoCloseable {
        @Override
        void close();
    }
}
