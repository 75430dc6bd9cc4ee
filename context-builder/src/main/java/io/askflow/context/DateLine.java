package io.askflow.context;

import java.time.Clock;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * The sentence that tells the model what "now" is. A bare model does not know the date; this line
 * is why askflow's answers to "what day is it" are right without a tool call.
 */
final class DateLine {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEEE, d MMMM uuuu", Locale.ENGLISH);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH);

    private final Clock clock;

    DateLine(Clock clock) {
        this.clock = clock;
    }

    String render(ZoneId zone) {
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(zone));
        return "Current date and time: " + DATE.format(now) + ", " + TIME.format(now) + " in time zone " + zone.getId()
                + " (UTC" + now.getOffset().getId().replace("Z", "+00:00") + ", "
                + zone.getDisplayName(TextStyle.FULL, Locale.ENGLISH) + "). ISO 8601: "
                + now.toOffsetDateTime().withNano(0) + ".";
    }
}
