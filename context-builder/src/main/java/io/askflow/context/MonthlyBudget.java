package io.askflow.context;

import io.askflow.knowledge.TenantDirectory;
import io.askflow.knowledge.UsageLedger;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * A tenant's {@code monthlyTokenBudget}, checked when one of its turns starts: before the summary
 * and the model call, so a tenant over budget spends nothing more. It counts what the ledger holds,
 * the turns finished so far this calendar month (UTC); turns already running when the budget runs
 * out finish, so a month may overrun by what they spend.
 */
final class MonthlyBudget {
    private final TenantDirectory tenants;
    private final UsageLedger ledger;
    private final Clock clock;

    MonthlyBudget(TenantDirectory tenants, UsageLedger ledger, Clock clock) {
        this.tenants = tenants;
        this.ledger = ledger;
        this.clock = clock;
    }

    /** Why the tenant may not start a turn now, or empty when it may. */
    Optional<String> exceeded(String tenantId) throws SQLException {
        Long budget = tenants.policy(tenantId).monthlyTokenBudget();
        if (budget == null) {
            return Optional.empty();
        }
        LocalDate monthStart = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).withDayOfMonth(1);
        long spent = ledger.tokensSince(tenantId, monthStart);
        if (spent < budget) {
            return Optional.empty();
        }
        return Optional.of("The tenant's monthly token budget of " + budget + " tokens is spent (" + spent
                + " tokens since " + monthStart + " UTC); the turn was not sent to the model");
    }
}
