package io.askflow.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.config.Config;
import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** askflow's defaults under the SDK's autoconfiguration: nothing is exported, or tried, without an endpoint. */
class TelemetryTest {

    @Test
    void withoutAnEndpointNoExporterIsConfigured() {
        Map<String, String> d = Telemetry.defaults(DefaultConfigProperties.createFromMap(Map.of()), Map.of(), "askflow-gateway");
        assertThat(d).containsEntry("otel.traces.exporter", "none").containsEntry("otel.metrics.exporter", "none")
                .containsEntry("otel.logs.exporter", "none").containsEntry("otel.service.name", "askflow-gateway");
    }

    @Test
    void anEndpointSwitchesOnOtlpOverHttpForTracesOnly() {
        Map<String, String> given = Map.of("otel.exporter.otlp.endpoint", "http://collector:4318");
        Map<String, String> d = Telemetry.defaults(DefaultConfigProperties.createFromMap(Map.of()), given, "askflow-tool-runner");
        assertThat(d).containsEntry("otel.traces.exporter", "otlp").containsEntry("otel.exporter.otlp.protocol", "http/protobuf")
                .containsEntry("otel.metrics.exporter", "none").containsEntry("otel.logs.exporter", "none");
    }

    @Test
    void theOperatorsOwnValuesWin() {
        Map<String, String> given = Map.of("otel.service.name", "my-askflow", "otel.traces.exporter", "otlp",
                "otel.exporter.otlp.protocol", "grpc");
        Map<String, String> d = Telemetry.defaults(DefaultConfigProperties.createFromMap(Map.of()), given, "askflow-gateway");
        assertThat(d).containsEntry("otel.service.name", "my-askflow").containsEntry("otel.traces.exporter", "otlp")
                .containsEntry("otel.exporter.otlp.protocol", "grpc");
        Map<String, String> byResource = Telemetry.defaults(DefaultConfigProperties.createFromMap(
                Map.of("otel.resource.attributes", "service.name=from-resource")), Map.of(), "askflow-gateway");
        assertThat(byResource).doesNotContainKey("otel.service.name");
    }

    @Test
    void exporterHeadersAreNeverLogged() {
        Config c = Config.of(Map.of("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer collector-secret",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"));
        assertThat(c.describe()).doesNotContain("collector-secret").contains("OTEL_EXPORTER_OTLP_HEADERS=<set>")
                .contains("OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318");
    }
}
