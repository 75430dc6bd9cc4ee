package io.askflow.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.message.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The services' logback.xml: ASKFLOW_LOG_FORMAT chooses text or one JSON object per line, MDC included. */
class LogFormatTest {

    @Test
    void jsonIsOneObjectPerLineWithTheMdcAndTheException() throws Exception {
        List<String> lines = log("json");
        assertThat(lines).hasSize(2);
        JsonNode info = Json.tree(lines.get(0));
        assertThat(info.path("level").asText()).isEqualTo("INFO");
        assertThat(info.path("loggerName").asText()).isEqualTo("io.askflow.test");
        assertThat(info.path("threadName").asText()).isEqualTo(Thread.currentThread().getName());
        assertThat(info.path("formattedMessage").asText()).isEqualTo("handled r-1");
        assertThat(info.path("timestamp").asLong()).isPositive();
        assertThat(info.path("mdc").path("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(info.path("mdc").path("span_id").asText()).isEqualTo("00f067aa0ba902b7");
        JsonNode warn = Json.tree(lines.get(1));
        assertThat(warn.path("level").asText()).isEqualTo("WARN");
        assertThat(warn.path("mdc").path("trace_id").isMissingNode()).as("the MDC was cleared: %s", warn).isTrue();
        assertThat(warn.path("throwable").path("className").asText()).isEqualTo(IllegalStateException.class.getName());
        assertThat(warn.path("throwable").path("message").asText()).isEqualTo("boom");
    }

    @Test
    void textIsTheDefault() throws Exception {
        List<String> lines = log(null);
        assertThat(lines.get(0)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[.*] io.askflow.test - handled r-1");
        assertThat(lines).anyMatch(l -> l.contains("java.lang.IllegalStateException: boom"));
    }

    /** Configures a fresh logger context from the main logback.xml and logs an INFO with MDC and a WARN with an exception. */
    private static List<String> log(String format) throws Exception {
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new LogbackMDCAdapter());
        if (format != null) {
            ctx.putProperty("ASKFLOW_LOG_FORMAT", format);
        }
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(ctx);
            configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
            Logger log = ctx.getLogger("io.askflow.test");
            ctx.getMDCAdapter().put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
            ctx.getMDCAdapter().put("span_id", "00f067aa0ba902b7");
            log.info("handled {}", "r-1");
            ctx.getMDCAdapter().clear();
            log.warn("failed", new IllegalStateException("boom"));
        } finally {
            System.setErr(err);
            ctx.stop();
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
