package io.askflow.tools.time;

import io.askflow.tools.spi.Tool;
import io.askflow.tools.spi.ToolContext;
import io.askflow.tools.spi.ToolException;
import io.askflow.tools.spi.ToolOutput;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.message.ToolSpec;
import io.askflow.tool.BuiltinTools;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The date and time now, spelled out (weekday, month name, zone abbreviation and offset) and in ISO
 * 8601, so the model neither has to compute a weekday nor guess today's date.
 */
public final class CurrentTimeTool implements Tool {
    private static final DateTimeFormatter SPOKEN = DateTimeFormatter.ofPattern("EEEE, d MMMM uuuu, HH:mm:ss zzz", Locale.ENGLISH);
    private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("xxx", Locale.ROOT);

    private final Clock clock;
    private final ZoneId defaultZone;

    public CurrentTimeTool(Clock clock) {
        this(clock, ZoneId.of("UTC"));
    }

    /** @param defaultZone used when the model names no zone; the model call carries no user zone yet */
    public CurrentTimeTool(Clock clock, ZoneId defaultZone) {
        this.clock = clock;
        this.defaultZone = defaultZone;
    }

    @Override
    public ToolSpec spec() {
        return BuiltinTools.CURRENT_TIME;
    }

    @Override
    public String permission() {
        return "clock.read";
    }

    @Override
    public java.time.Duration timeout() {
        return java.time.Duration.ofSeconds(2); // it reads a clock; anything slower is a fault
    }

    @Override
    public ToolOutput run(JsonNode arguments, ToolContext ctx) throws ToolException {
        ZoneId zone = defaultZone;
        String asked = arguments.path("time_zone").asText("").trim();
        if (!asked.isEmpty()) {
            try {
                zone = ZoneId.of(asked);
            } catch (DateTimeException e) {
                throw new ToolException("current_time: unknown time zone \"" + asked
                        + "\"; use an IANA name such as Europe/Berlin or America/New_York");
            }
        }
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(zone)).truncatedTo(ChronoUnit.SECONDS);
        String spoken = SPOKEN.format(now);
        String abbreviation = spoken.substring(spoken.lastIndexOf(' ') + 1);
        String zoneNote = abbreviation.equals(zone.getId()) ? "" : zone.getId() + ", ";
        return ToolOutput.text(spoken + " (" + zoneNote + "UTC" + OFFSET.format(now) + "); ISO 8601 "
                + DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(now));
    }
}
