package io.askflow.context;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DateLineTest {
    private final DateLine line = new DateLine(Clock.fixed(Instant.parse("2026-11-26T23:30:00Z"), ZoneOffset.UTC));

    @Test
    void utcByDefault() {
        assertThat(line.render(ZoneId.of("UTC")))
                .contains("Thursday, 26 November 2026, 23:30 in time zone UTC (UTC+00:00")
                .contains("ISO 8601: 2026-11-26T23:30Z");
    }

    @Test
    void theRequestsZoneCanBeTomorrow() {
        assertThat(line.render(ZoneId.of("Asia/Tokyo")))
                .contains("Friday, 27 November 2026, 08:30 in time zone Asia/Tokyo (UTC+09:00")
                .contains("2026-11-27T08:30+09:00");
    }

    @Test
    void daylightSavingIsTheZonesOwn() {
        Clock summer = Clock.fixed(Instant.parse("2026-07-01T12:00:00Z"), ZoneOffset.UTC);
        assertThat(new DateLine(summer).render(ZoneId.of("Europe/Berlin"))).contains("14:00").contains("UTC+02:00");
    }
}
