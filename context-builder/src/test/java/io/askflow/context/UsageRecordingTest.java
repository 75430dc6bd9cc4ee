package io.askflow.context;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.knowledge.Tenant;
import io.askflow.knowledge.TenantDirectory;
import io.askflow.knowledge.UsageLedger;
import io.askflow.message.Answer;
import io.askflow.message.Envelope;
import io.askflow.message.ModelUsage;
import io.askflow.message.Turn;
import io.askflow.message.Usage;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The ledger is written with the turn's end, once per request however often its answer is
 * delivered, also for a turn the queue no longer holds; the monthly budget reads it.
 */
class UsageRecordingTest {
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-15T10:00:00Z"), ZoneOffset.UTC);
    private final String tenant = "usage-" + UUID.randomUUID();
    private final String conversation = "c-" + UUID.randomUUID();
    private final UsageLedger ledger = new UsageLedger(TestDatabase.get());

    private Answer answer(String id, Usage usage, Instant at) {
        return Answer.builder().envelope(Envelope.builder().requestId(id).tenantId(tenant).conversationId(conversation)
                        .userId("u").build())
                .status(Answer.Status.OK).text("answer").model("gpt-4o-mini").usage(usage).createdAt(at).build();
    }

    @Test
    void aRedeliveredAnswerIsCountedOnceAndOnTheAnswersDay() throws Exception {
        var db = TestDatabase.get();
        TurnQueue q = new TurnQueue(db, new History(db), clock);
        Turn turn = Turn.builder().envelope(Envelope.builder().requestId("r1-" + tenant).tenantId(tenant)
                        .conversationId(conversation).userId("u").deadline(clock.instant().plusSeconds(60)).build())
                .prompt("hi").acceptedAt(clock.instant()).sequence(1).build();
        q.arrive(turn, "askflow.turns-0@1");
        Usage usage = Usage.ofCall("gpt-4.1-nano", 700, 0, 40, 0, 740).plus(Usage.ofCall("gpt-4o-mini", 300, 128, 20, 5, 320));
        Instant answered = Instant.parse("2026-12-14T23:59:59Z");
        q.finish(answer(turn.requestId(), usage, answered));
        q.finish(answer(turn.requestId(), usage, answered)); // redelivered after a crash
        // An answer for a turn the queue does not hold (erased while it ran) still cost what it cost.
        q.finish(answer("r2-" + tenant, Usage.ofCall("gpt-4o-mini", 10, 0, 1, 0, 11), Instant.parse("2026-12-15T00:00:01Z")));

        LocalDate day = LocalDate.parse("2026-12-14");
        assertThat(ledger.between(tenant, day, day.plusDays(1))).containsExactly(
                new UsageLedger.Day(day, "gpt-4.1-nano", new ModelUsage(700, 0, 40, 0, 1)),
                new UsageLedger.Day(day, "gpt-4o-mini", new ModelUsage(300, 128, 20, 5, 1)),
                new UsageLedger.Day(day.plusDays(1), "gpt-4o-mini", new ModelUsage(10, 0, 1, 0, 1)));
        assertThat(ledger.between("another-" + tenant, day, day.plusDays(1))).isEmpty();
        assertThat(ledger.tokensSince(tenant, LocalDate.parse("2026-12-01"))).isEqualTo(740 + 320 + 11);
        assertThat(ledger.tokensSince(tenant, LocalDate.parse("2026-12-15"))).isEqualTo(11);
    }

    @Test
    void theBudgetCountsThisCalendarMonthOnly() throws Exception {
        try (var c = TestDatabase.get().getConnection()) {
            ledger.record(c, tenant, "nov", LocalDate.parse("2026-11-30"), Usage.ofCall("m", 5_000, 0, 0, 0, 5_000), "m");
            ledger.record(c, tenant, "dec", LocalDate.parse("2026-12-01"), Usage.ofCall("m", 900, 0, 99, 0, 999), "m");
        }
        MonthlyBudget budget = new MonthlyBudget(new TenantDirectory(List.of(
                new Tenant(tenant, List.of(), null, null, null, null, null, 1_000L),
                new Tenant("unlimited-" + tenant, List.of(), null, null, null, null, null, null)), null), ledger, clock);
        assertThat(budget.exceeded(tenant)).as("999 of 1000 spent in December; November does not count").isEmpty();
        try (var c = TestDatabase.get().getConnection()) {
            ledger.record(c, tenant, "dec-2", LocalDate.parse("2026-12-02"), Usage.ofCall("m", 1, 0, 0, 0, 1), "m");
        }
        assertThat(budget.exceeded(tenant)).hasValueSatisfying(m -> assertThat(m)
                .contains("monthly token budget of 1000 tokens is spent (1000 tokens since 2026-12-01 UTC)"));
        assertThat(budget.exceeded("unlimited-" + tenant)).isEmpty();
    }
}
