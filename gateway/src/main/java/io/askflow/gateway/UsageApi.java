package io.askflow.gateway;

import io.askflow.knowledge.UsageLedger;
import io.askflow.message.ModelUsage;
import io.askflow.usage.PriceTable;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code GET /v1/usage?from=YYYY-MM-DD&to=YYYY-MM-DD}: what the caller's own tenant spent, per UTC
 * day and model, with the cost at the current {@code ASKFLOW_PRICES_FILE} prices. There is no
 * parameter naming a tenant: the one the API key proves is the only one a caller can see.
 */
final class UsageApi implements HttpApi.Routes {
    /** A year and a day: a leap year's report fits, an unbounded scan does not. */
    static final int MAX_DAYS = 366;

    private final UsageLedger ledger;
    private final PriceTable prices;

    UsageApi(UsageLedger ledger, PriceTable prices) {
        this.ledger = ledger;
        this.prices = prices;
    }

    @Override
    public boolean handle(HttpCall call) throws Exception {
        if (!call.segments().equals(List.of("v1", "usage")) || !call.method().equals("GET")) {
            return false;
        }
        LocalDate from = date(call, "from");
        LocalDate to = date(call, "to");
        if (to.isBefore(from)) {
            throw HttpCall.badRequest("to (" + to + ") must not be before from (" + from + ")");
        }
        if (ChronoUnit.DAYS.between(from, to) + 1 > MAX_DAYS) {
            throw HttpCall.badRequest("from and to may span at most " + MAX_DAYS + " days");
        }
        List<UsageReport.Day> days = new ArrayList<>();
        ModelUsage total = ModelUsage.ZERO;
        BigDecimal cost = BigDecimal.ZERO;
        TreeSet<String> unpriced = new TreeSet<>();
        for (UsageLedger.Day d : ledger.between(call.tenantId(), from, to)) {
            Optional<BigDecimal> dayCost = prices.cost(d.model(), d.usage());
            if (dayCost.isEmpty()) {
                unpriced.add(d.model());
            }
            cost = cost.add(dayCost.orElse(BigDecimal.ZERO));
            total = total.plus(d.usage());
            days.add(new UsageReport.Day(d.day(), d.model(), UsageReport.Tokens.of(d.usage(), dayCost.orElse(null))));
        }
        // A total cost only when every model has a price: a sum that silently left some out would mislead.
        call.respond(200, new UsageReport(call.tenantId(), from, to, days,
                UsageReport.Tokens.of(total, unpriced.isEmpty() ? cost.stripTrailingZeros() : null), List.copyOf(unpriced)));
        return true;
    }

    private static LocalDate date(HttpCall call, String name) {
        String value = call.query(name).orElseThrow(() -> HttpCall.badRequest(name + " is required (YYYY-MM-DD)"));
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw HttpCall.badRequest(name + " must be a date YYYY-MM-DD, was '" + value + "'");
        }
    }
}
