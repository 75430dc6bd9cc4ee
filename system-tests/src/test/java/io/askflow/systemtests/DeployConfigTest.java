package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml and the configuration it mounts cannot be run here (no Docker): this reads
 * them as Docker Compose, Prometheus and Grafana would, and checks the wiring that issue 12 asks
 * for. That the dashboard's queries name exported metrics is {@link MetricsTest}'s.
 */
class DeployConfigTest {
    private static final Path ROOT = Path.of("..");
    private static final List<String> SERVICES = List.of("gateway", "context-builder", "model-caller", "tool-runner");

    @Test
    @SuppressWarnings("unchecked")
    void everyServiceIsHealthCheckedOnReadyzAndScrapedByPrometheus() throws Exception {
        Map<String, Object> services = (Map<String, Object>) yaml("docker-compose.yml").get("services");
        for (String name : SERVICES) {
            Map<String, Object> service = (Map<String, Object>) services.get(name);
            Map<String, Object> health = (Map<String, Object>) service.get("healthcheck");
            assertThat(health).as("%s healthcheck", name).isNotNull();
            assertThat(String.join(" ", (List<String>) health.get("test"))).as(name).contains("/readyz").contains("9464");
            assertThat(((Map<String, Object>) service.get("environment")).get("ASKFLOW_MANAGEMENT_PORT")).as(name).isEqualTo("9464");
        }
        assertThat(services).containsKeys("otel-collector", "prometheus", "grafana");
        assertMounted(services, "otel-collector", "deploy/otel/collector.yaml");
        assertMounted(services, "prometheus", "deploy/prometheus/prometheus.yml");
        assertMounted(services, "grafana", "deploy/grafana/dashboards");

        List<Map<String, Object>> jobs = (List<Map<String, Object>>) yaml("deploy/prometheus/prometheus.yml").get("scrape_configs");
        for (String name : SERVICES) {
            assertThat(jobs).as("a scrape job for %s", name).anySatisfy(job -> {
                assertThat(job.get("job_name")).isEqualTo(name);
                Map<String, Object> sd = ((List<Map<String, Object>>) job.get("dns_sd_configs")).get(0);
                assertThat(sd.get("names")).isEqualTo(List.of(name));
                assertThat(sd.get("port")).isEqualTo(9464);
            });
        }
        Map<String, Object> datasource = ((List<Map<String, Object>>) yaml("deploy/grafana/provisioning/datasources/prometheus.yaml")
                .get("datasources")).get(0);
        assertThat(datasource.get("url")).isEqualTo("http://prometheus:9090");
        assertThat(MetricsTest.dashboardMetrics()).as("the dashboard's metrics").isNotEmpty();
        assertThat(Files.readString(MetricsTest.DASHBOARD))
                .as("panels use the provisioned datasource").contains("\"uid\": \"" + datasource.get("uid") + "\"");
        Map<String, Object> collector = yaml("deploy/otel/collector.yaml");
        assertThat(((Map<String, Object>) collector.get("receivers"))).containsKey("otlp");
    }

    @SuppressWarnings("unchecked")
    private static void assertMounted(Map<String, Object> services, String service, String path) {
        List<String> volumes = (List<String>) ((Map<String, Object>) services.get(service)).get("volumes");
        assertThat(volumes).as("%s mounts %s", service, path).anyMatch(v -> v.startsWith("./" + path + ":"));
        assertThat(ROOT.resolve(path)).exists();
    }

    private static Map<String, Object> yaml(String path) throws IOException {
        try (Reader in = Files.newBufferedReader(ROOT.resolve(path))) {
            return new Yaml().load(in);
        }
    }
}
