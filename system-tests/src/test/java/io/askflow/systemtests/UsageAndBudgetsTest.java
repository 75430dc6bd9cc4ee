package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.localmodel.ChatRequest;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.message.ErrorCode;
import io.askflow.message.Json;
import io.askflow.message.MetadataKeys;
import io.askflow.message.ModelUsage;
import io.askflow.testkit.ReceivedRequest;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12's usage, cost and budgets through the four services: an answer carries every model
 * call of its turn (tool rounds and the context-builder's summary), with cached and reasoning
 * tokens as the API reported them; the ledger behind {@code GET /v1/usage} holds the same, for the
 * caller's tenant only; cost follows the prices file; a tenant over its monthly budget gets
 * {@code budget_exceeded} without a model call.
 */
class UsageAndBudgetsTest {
    private static final Reply.Tokens SUMMARY = new Reply.Tokens(700, 0, 40, 0);
    private static final Reply.Tokens TOOL_ROUND = new Reply.Tokens(300, 128, 20, 5);
    private static final Reply.Tokens FINAL = new Reply.Tokens(410, 256, 60, 12);
    private static final Reply.Tokens FILLER = new Reply.Tokens(100, 0, 10, 0);
    /** USD per 1M tokens, as RunningPipeline.PRICES has them. */
    private static final Map<String, BigDecimal[]> PRICES = Map.of(
            "scripted-model", new BigDecimal[] {new BigDecimal("2.5"), new BigDecimal("1.25"), new BigDecimal("10")},
            RunningPipeline.SUMMARY_MODEL, new BigDecimal[] {new BigDecimal("0.15"), new BigDecimal("0.15"), new BigDecimal("0.6")});

    private static RunningPipeline p;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
    }

    /** Which scripted usage a request was answered with. */
    private static Reply.Tokens kind(ChatRequest req) {
        if (ContextAssemblyTest.isSummary(req)) {
            return SUMMARY;
        }
        if (req.lastMessage().orElseThrow().hasRole("tool")) {
            return FINAL;
        }
        return req.lastMessage().orElseThrow().text().startsWith("What time") ? TOOL_ROUND : FILLER;
    }

    private static void script() {
        p.model.respondWith(req -> {
            Reply.Tokens tokens = kind(req);
            if (tokens == SUMMARY) {
                return Reply.text("SUMMARY of the early turns").withTokens(tokens);
            }
            if (tokens == TOOL_ROUND) {
                return Reply.toolCall("current_time", "{}").withTokens(tokens);
            }
            if (tokens == FINAL) {
                return Reply.text("It is about now.").withTokens(tokens);
            }
            // Long answers, so the 300-token context of ledger-a overflows and older turns are summarised.
            return Reply.text("Filler answer: " + "lorem ipsum dolor sit amet consectetur ".repeat(25).strip())
                    .withTokens(tokens);
        });
    }

    @Test
    void anAnswerSumsEveryCallOfItsTurnAndTheLedgerShowsTheSameToItsTenantOnly() throws Exception {
        script();
        Http a = new Http(p.pipeline.httpPort(), RunningPipeline.LEDGER_A_KEY);
        Http b = new Http(p.pipeline.httpPort(), RunningPipeline.LEDGER_B_KEY);
        String conversation = "usage-" + UUID.randomUUID();
        Map<String, ModelUsage> spentByA = new HashMap<>();
        for (int i = 1; i <= 3; i++) {
            ask(a, conversation, "Tell me a long story, part " + i).usage().byModel()
                    .forEach((m, u) -> spentByA.merge(m, u, ModelUsage::plus));
        }

        int before = p.model.requests().size();
        Answer answer = ask(a, conversation, "What time is it?");
        List<ChatRequest> calls = p.model.requests().subList(before, p.model.requests().size()).stream()
                .map(ReceivedRequest::request).toList();
        List<Reply.Tokens> kinds = calls.stream().map(UsageAndBudgetsTest::kind).toList();
        assertThat(kinds).as("the turn had a summary, a tool round and a final answer").contains(SUMMARY)
                .containsOnlyOnce(TOOL_ROUND, FINAL).doesNotContain(FILLER);
        answer.usage().byModel().forEach((m, u) -> spentByA.merge(m, u, ModelUsage::plus));

        long summaries = kinds.stream().filter(k -> k == SUMMARY).count();
        var u = answer.usage();
        assertThat(u.calls()).isEqualTo(calls.size());
        assertThat(u.promptTokens()).isEqualTo(kinds.stream().mapToLong(Reply.Tokens::prompt).sum());
        assertThat(u.cachedPromptTokens()).isEqualTo(kinds.stream().mapToLong(Reply.Tokens::cached).sum());
        assertThat(u.completionTokens()).isEqualTo(kinds.stream().mapToLong(Reply.Tokens::completion).sum());
        assertThat(u.reasoningTokens()).isEqualTo(kinds.stream().mapToLong(Reply.Tokens::reasoning).sum());
        assertThat(u.totalTokens()).isEqualTo(u.promptTokens() + u.completionTokens());
        assertThat(u.byModel()).containsOnlyKeys("scripted-model", RunningPipeline.SUMMARY_MODEL);
        assertThat(u.byModel().get(RunningPipeline.SUMMARY_MODEL)).isEqualTo(new ModelUsage(
                SUMMARY.prompt() * summaries, 0, SUMMARY.completion() * summaries, 0, summaries));
        assertThat(u.byModel().get("scripted-model")).isEqualTo(new ModelUsage(
                TOOL_ROUND.prompt() + FINAL.prompt(), TOOL_ROUND.cached() + FINAL.cached(),
                TOOL_ROUND.completion() + FINAL.completion(), TOOL_ROUND.reasoning() + FINAL.reasoning(), 2));

        BigDecimal expectedCost = cost("scripted-model", TOOL_ROUND).add(cost("scripted-model", FINAL))
                .add(cost(RunningPipeline.SUMMARY_MODEL, SUMMARY).multiply(BigDecimal.valueOf(summaries)));
        assertThat(new BigDecimal(answer.metadata().get(MetadataKeys.COST_USD))).isEqualByComparingTo(expectedCost);
        assertThat(answer.metadata()).doesNotContainKey(MetadataKeys.COST_UNPRICED);

        Answer other = ask(b, "usage-b-" + UUID.randomUUID(), "Tell me a long story");
        // The ledger is written when the context-builder finishes each turn: wait until it shows them all.
        JsonNode usageA = awaitUsage(a, spentByA);
        JsonNode usageB = awaitUsage(b, other.usage().byModel());
        assertThat(usageA.path("tenantId").asText()).isEqualTo(RunningPipeline.LEDGER_A);
        assertThat(usageB.path("tenantId").asText()).isEqualTo(RunningPipeline.LEDGER_B);
        assertThat(usageA.path("unpricedModels")).isEmpty();
        BigDecimal expectedTotal = spentByA.entrySet().stream().map(e -> cost(e.getKey(), e.getValue()))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(usageA.path("total").path("costUsd").decimalValue()).isEqualByComparingTo(expectedTotal);
        assertThat(usageB.path("total").path("calls").asLong()).as("B sees its one call, none of A's").isEqualTo(1);
    }

    @Test
    void badDatesAndRangesAreCodedErrors() throws Exception {
        Http a = new Http(p.pipeline.httpPort(), RunningPipeline.LEDGER_A_KEY);
        for (String query : List.of("", "?from=2026-12-01", "?from=2026-13-01&to=2026-12-31", "?from=yesterday&to=2026-12-01",
                "?from=2026-12-02&to=2026-12-01", "?from=2025-01-01&to=2026-12-31")) {
            Http.Response r = a.get("/v1/usage" + query);
            assertThat(r.status()).as(query + ": " + r.body()).isEqualTo(400);
            assertThat(r.json().path("error").path("code").asText()).as(query).isEqualTo(ErrorCode.INVALID_REQUEST.wire());
        }
    }

    @Test
    void aTenantOverItsMonthlyBudgetGetsBudgetExceededWithoutAModelCall() throws Exception {
        Reply.Tokens big = new Reply.Tokens(RunningPipeline.FRUGAL_MONTHLY_TOKENS - 100, 0, 200, 0);
        p.model.respondWith(req -> Reply.text("A reply that spends the month's budget.").withTokens(big));
        Http frugal = new Http(p.pipeline.httpPort(), RunningPipeline.FRUGAL_KEY);
        String conversation = "frugal-" + UUID.randomUUID();

        Answer spending = ask(frugal, conversation, "Spend it");
        assertThat(spending.usage().totalTokens()).isGreaterThan(RunningPipeline.FRUGAL_MONTHLY_TOKENS);
        assertThat(spending.metadata()).as("the frugal tenant's model has no price: no cost, and it says so")
                .doesNotContainKey(MetadataKeys.COST_USD).containsEntry(MetadataKeys.COST_UNPRICED, "unpriced-model");

        // The same conversation's next turn starts only once the first is finished, and recorded.
        int before = p.model.requests().size();
        Answer refused = answer(frugal, conversation, "And once more");
        assertThat(refused.isOk()).isFalse();
        assertThat(refused.error().code()).isEqualTo(ErrorCode.BUDGET_EXCEEDED);
        assertThat(refused.error().message()).contains("monthly token budget of " + RunningPipeline.FRUGAL_MONTHLY_TOKENS);
        assertThat(p.model.requests()).as("no model call for the refused turn").hasSize(before);

        Answer elsewhere = answer(frugal, "frugal-" + UUID.randomUUID(), "A new conversation");
        assertThat(elsewhere.error().code()).isEqualTo(ErrorCode.BUDGET_EXCEEDED);
        assertThat(p.model.requests()).as("nor for another conversation of the tenant").hasSize(before);
    }

    private static BigDecimal cost(String model, Reply.Tokens t) {
        return cost(model, new ModelUsage(t.prompt(), t.cached(), t.completion(), t.reasoning(), 1));
    }

    private static BigDecimal cost(String model, ModelUsage u) {
        BigDecimal[] price = PRICES.get(model);
        return price[0].multiply(BigDecimal.valueOf(u.promptTokens() - u.cachedPromptTokens()))
                .add(price[1].multiply(BigDecimal.valueOf(u.cachedPromptTokens())))
                .add(price[2].multiply(BigDecimal.valueOf(u.completionTokens())))
                .divide(BigDecimal.valueOf(1_000_000));
    }

    /** Polls /v1/usage (today, give or take a day) until its per-model sums are {@code expected}; returns the last reply. */
    private static JsonNode awaitUsage(Http http, Map<String, ModelUsage> expected) throws Exception {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String path = "/v1/usage?from=" + today.minusDays(1) + "&to=" + today.plusDays(1);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Http.Response r = http.get(path);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            Map<String, ModelUsage> seen = new HashMap<>();
            for (JsonNode row : r.json().path("days")) {
                seen.merge(row.path("model").asText(), new ModelUsage(row.path("inputTokens").asLong(),
                        row.path("cachedInputTokens").asLong(), row.path("outputTokens").asLong(),
                        row.path("reasoningTokens").asLong(), row.path("calls").asLong()), ModelUsage::plus);
            }
            if (seen.equals(expected) || System.nanoTime() > deadline) {
                assertThat(seen).as("the ledger of %s", r.json().path("tenantId").asText()).isEqualTo(expected);
                return r.json();
            }
            Thread.sleep(100);
        }
    }

    private static Answer ask(Http http, String conversation, String prompt) throws Exception {
        Answer a = answer(http, conversation, prompt);
        assertThat(a.isOk()).as(String.valueOf(a.error())).isTrue();
        return a;
    }

    private static Answer answer(Http http, String conversation, String prompt) throws Exception {
        Http.Response r = http.postJson("/v1/prompts?wait=30",
                "{\"conversationId\":\"" + conversation + "\",\"prompt\":\"" + prompt + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return Json.read(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8), Answer.class);
    }
}
