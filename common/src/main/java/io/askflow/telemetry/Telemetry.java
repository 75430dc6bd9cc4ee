package io.askflow.telemetry;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.context.Context;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's OpenTelemetry, built once by whoever owns the process ({@code ServiceProcess},
 * {@code ./askflow serve}) and handed to the services it starts. Configured by the standard
 * {@code OTEL_*} variables through the SDK's autoconfiguration, with askflow's defaults under them:
 * spans are exported over OTLP/HTTP only when an OTLP endpoint is set, and no metrics or logs
 * exporter is started, so an unconfigured service never tries to reach a collector. Spans are made
 * either way, so log lines carry trace and span ids.
 *
 * <p>Each service gets its own SDK ({@link #tracing}), so that services sharing one JVM still
 * report their own {@code service.name} ({@code askflow-gateway}, ...), unless
 * {@code OTEL_SERVICE_NAME} names one for all.
 */
public final class Telemetry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Telemetry.class);
    /** W3C trace context only: what the runner always forwarded, also when nothing is traced. */
    private static final ContextPropagators W3C = ContextPropagators.create(W3CTraceContextPropagator.getInstance());

    private final Config config;
    private final boolean enabled;
    private final Map<String, OpenTelemetrySdk> sdks = new ConcurrentHashMap<>();
    private final Map<String, Tracing> tracings = new ConcurrentHashMap<>();

    private Telemetry(Config config, boolean enabled) {
        this.config = config;
        this.enabled = enabled;
    }

    /** The SDK for this process's configuration; nothing is built until a service asks for its tracing. */
    public static Telemetry create(Config config) {
        return new Telemetry(config, true);
    }

    /**
     * No SDK at all: spans are not recorded, but an incoming {@code traceparent} is still passed on
     * to every output, so a caller's trace is not cut. For tests and tools that trace nothing.
     */
    public static Telemetry disabled() {
        return new Telemetry(Config.of(Map.of()), false);
    }

    /** The tracing of one service; the same instance for every call with one name. */
    public Tracing tracing(String serviceName) {
        return tracings.computeIfAbsent(serviceName, name -> {
            boolean content = config.get(Settings.TRACE_MESSAGE_CONTENT);
            OpenTelemetry otel = enabled ? sdks.computeIfAbsent(name, this::build) : OpenTelemetry.propagating(W3C);
            return new Tracing(otel, content);
        });
    }

    private OpenTelemetrySdk build(String serviceName) {
        Map<String, String> given = new HashMap<>();
        config.matching(Settings.OTEL_PROPERTIES).forEach((variable, value) ->
                given.put("otel." + Settings.OTEL_PROPERTIES.key(variable), value));
        return AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesCustomizer(props -> defaults(props, given, serviceName))
                // Without an exporter the SDK would hand out a no-op tracer: records would get no span
                // ids of their own and logs no ids unless a caller sent a traceparent.
                .addTracerProviderCustomizer((tracers, props) -> tracers.addSpanProcessor(IdsOnly.INSTANCE))
                // Closed with the process's services, after their last spans ended, not by a hook of its own.
                .disableShutdownHook()
                .build()
                .getOpenTelemetrySdk();
    }

    /** A processor that needs nothing of the spans: it only keeps them real when nothing exports them. */
    private enum IdsOnly implements SpanProcessor {
        INSTANCE;

        @Override
        public void onStart(Context parentContext, ReadWriteSpan span) {
        }

        @Override
        public boolean isStartRequired() {
            return false;
        }

        @Override
        public void onEnd(ReadableSpan span) {
        }

        @Override
        public boolean isEndRequired() {
            return false;
        }
    }

    /** What the configuration sets, plus askflow's defaults for what neither it nor the environment sets. */
    static Map<String, String> defaults(ConfigProperties props, Map<String, String> given, String serviceName) {
        Map<String, String> out = new HashMap<>(given);
        Function<String, String> look = key -> out.containsKey(key) ? out.get(key) : props.getString(key);
        boolean endpoint = look.apply("otel.exporter.otlp.endpoint") != null
                || look.apply("otel.exporter.otlp.traces.endpoint") != null;
        out.putIfAbsent("otel.traces.exporter", orDefault(look, "otel.traces.exporter", endpoint ? "otlp" : "none"));
        out.putIfAbsent("otel.metrics.exporter", orDefault(look, "otel.metrics.exporter", "none"));
        out.putIfAbsent("otel.logs.exporter", orDefault(look, "otel.logs.exporter", "none"));
        // The specification's default; the Java SDK's own is still gRPC.
        out.putIfAbsent("otel.exporter.otlp.protocol", orDefault(look, "otel.exporter.otlp.protocol", "http/protobuf"));
        String resource = look.apply("otel.resource.attributes");
        if (look.apply("otel.service.name") == null && (resource == null || !resource.contains("service.name="))) {
            out.put("otel.service.name", serviceName);
        }
        return out;
    }

    private static String orDefault(Function<String, String> look, String key, String fallback) {
        String v = look.apply(key);
        return v == null ? fallback : v;
    }

    /** Exports what is still buffered and stops every SDK; spans ended after this are dropped. */
    @Override
    public void close() {
        sdks.forEach((name, sdk) -> {
            if (!sdk.shutdown().join(10, TimeUnit.SECONDS).isSuccess()) {
                LOG.warn("The tracing of {} did not export its last spans", name);
            }
        });
        sdks.clear();
    }
}
