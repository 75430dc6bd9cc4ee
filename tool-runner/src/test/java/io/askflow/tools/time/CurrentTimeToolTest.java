package io.askflow.tools.time;

import io.askflow.tools.spi.ToolContext;
import io.askflow.tools.spi.ToolException;
import io.askflow.tools.spi.ToolOutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askflow.message.Json;
import io.askflow.tool.BuiltinTools;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CurrentTimeToolTest {
    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-11-26T08:33:02.123Z"), ZoneOffset.UTC);
    private static final ToolContext CTX = new ToolContext("t", "u", Instant.parse("2026-11-26T08:34:00Z"), "r", "c");

    @Test
    void defaultsToUtc() throws Exception {
        ToolOutput out = new CurrentTimeTool(FIXED).run(Json.tree("{}"), CTX);
        assertThat(out.content()).isEqualTo(
                "Thursday, 26 November 2026, 08:33:02 UTC (UTC+00:00); ISO 8601 2026-11-26T08:33:02Z");
        assertThat(out.sources()).isEmpty();
    }

    @Test
    void namedZoneShowsItsAbbreviationOffsetAndId() throws Exception {
        ToolOutput out = new CurrentTimeTool(FIXED).run(Json.tree("{\"time_zone\":\"Europe/Berlin\"}"), CTX);
        assertThat(out.content()).isEqualTo(
                "Thursday, 26 November 2026, 09:33:02 CET (Europe/Berlin, UTC+01:00); ISO 8601 2026-11-26T09:33:02+01:00");
    }

    @Test
    void zoneAcrossTheDateLine() throws Exception {
        ToolOutput out = new CurrentTimeTool(FIXED).run(Json.tree("{\"time_zone\":\"Pacific/Kiritimati\"}"), CTX);
        assertThat(out.content()).startsWith("Thursday, 26 November 2026, 22:33:02").contains("UTC+14:00")
                .endsWith("ISO 8601 2026-11-26T22:33:02+14:00");
    }

    @Test
    void configuredDefaultZoneIsUsedWhenNoneIsNamed() throws Exception {
        ToolOutput out = new CurrentTimeTool(FIXED, ZoneId.of("America/New_York")).run(Json.tree("{}"), CTX);
        assertThat(out.content()).startsWith("Thursday, 26 November 2026, 03:33:02 EST (America/New_York, UTC-05:00)");
    }

    @Test
    void unknownZoneIsAnErrorForTheModel() {
        assertThatThrownBy(() -> new CurrentTimeTool(FIXED).run(Json.tree("{\"time_zone\":\"Mars/Olympus\"}"), CTX))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("unknown time zone \"Mars/Olympus\"");
    }

    @Test
    void implementsTheBuiltinSpec() {
        assertThat(new CurrentTimeTool(FIXED).spec()).isEqualTo(BuiltinTools.CURRENT_TIME);
    }
}
