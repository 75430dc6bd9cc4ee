package io.askflow.usage;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.config.Config;
import io.askflow.config.ConfigException;
import io.askflow.config.Settings;
import io.askflow.message.Json;
import io.askflow.message.ModelUsage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Model prices from {@code ASKFLOW_PRICES_FILE}, in US dollars per million tokens:
 * {@code {"models":{"gpt-4o-mini":{"input":0.15,"cachedInput":0.075,"output":0.6}}}}.
 * {@code cachedInput} is optional (then cached input costs {@code input}). A model the API names
 * with a snapshot date ({@code gpt-4o-mini-2024-07-18}, {@code gpt-4-0613}) has its base name's
 * price unless the file lists the snapshot itself. A model without a price has no cost, never a
 * cost of zero: callers say which models were unpriced.
 *
 * <p>Cost is exact decimal arithmetic: uncached input at {@code input}, cached input at
 * {@code cachedInput}, output (reasoning included, as the API bills it) at {@code output}.
 */
public final class PriceTable {
    /** No file configured: every model is unpriced. */
    public static final PriceTable NONE = new PriceTable(Map.of(), false);

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final Pattern SNAPSHOT = Pattern.compile("-(\\d{4}-\\d{2}-\\d{2}|\\d{4})$");
    private static final Set<String> FIELDS = Set.of("input", "cachedInput", "output");

    /** USD per million tokens. */
    public record Price(BigDecimal input, BigDecimal cachedInput, BigDecimal output) {
    }

    /** @param usd the cost of the priced models; {@code unpriced} the models that have no price */
    public record Cost(BigDecimal usd, List<String> unpriced) {
        public boolean complete() {
            return unpriced.isEmpty();
        }
    }

    private final Map<String, Price> prices;
    private final boolean configured;

    private PriceTable(Map<String, Price> prices, boolean configured) {
        this.prices = Map.copyOf(prices);
        this.configured = configured;
    }

    /**
     * The table of {@code ASKFLOW_PRICES_FILE}, or {@link #NONE}.
     *
     * @throws ConfigException naming the file and what is wrong with it, so the service stops at start-up
     */
    public static PriceTable from(Config config) {
        Optional<String> file = config.find(Settings.PRICES_FILE);
        if (file.isEmpty()) {
            return NONE;
        }
        try {
            return parse(Files.readString(Path.of(file.get())));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("Cannot read " + Settings.PRICES_FILE.name() + " " + file.get() + ": "
                    + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException saying what is wrong */
    public static PriceTable parse(String json) {
        JsonNode root = Json.tree(json);
        JsonNode models = root.path("models");
        if (!models.isObject()) {
            throw new IllegalArgumentException("expected {\"models\":{\"<model>\":{\"input\":..,\"cachedInput\":..,\"output\":..}}}");
        }
        Map<String, Price> prices = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = models.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode p = e.getValue();
            if (!p.isObject()) {
                throw new IllegalArgumentException("model " + e.getKey() + ": expected an object of prices");
            }
            p.fieldNames().forEachRemaining(f -> {
                if (!FIELDS.contains(f)) {
                    throw new IllegalArgumentException("model " + e.getKey() + ": unknown field " + f + " (known: " + FIELDS + ")");
                }
            });
            BigDecimal input = amount(e.getKey(), p, "input");
            BigDecimal output = amount(e.getKey(), p, "output");
            BigDecimal cached = p.has("cachedInput") ? amount(e.getKey(), p, "cachedInput") : input;
            prices.put(e.getKey(), new Price(input, cached, output));
        }
        return new PriceTable(prices, true);
    }

    private static BigDecimal amount(String model, JsonNode price, String field) {
        JsonNode v = price.get(field);
        if (v == null || !v.isNumber() || v.decimalValue().signum() < 0) {
            throw new IllegalArgumentException("model " + model + ": " + field
                    + " must be a number >= 0 (USD per 1M tokens)");
        }
        return v.decimalValue();
    }

    public boolean isConfigured() {
        return configured;
    }

    public Optional<Price> price(String model) {
        if (model == null) {
            return Optional.empty();
        }
        Price exact = prices.get(model);
        if (exact != null) {
            return Optional.of(exact);
        }
        return Optional.ofNullable(prices.get(SNAPSHOT.matcher(model).replaceFirst("")));
    }

    /** The cost of one model's tokens, or empty when it has no price. */
    public Optional<BigDecimal> cost(String model, ModelUsage usage) {
        return price(model).map(p -> {
            long cached = Math.min(usage.cachedPromptTokens(), usage.promptTokens());
            return p.input().multiply(BigDecimal.valueOf(usage.promptTokens() - cached))
                    .add(p.cachedInput().multiply(BigDecimal.valueOf(cached)))
                    .add(p.output().multiply(BigDecimal.valueOf(usage.completionTokens())))
                    .divide(MILLION)
                    .stripTrailingZeros();
        });
    }

    /** The cost of several models' tokens (a turn's, a day's), with the models that have no price. */
    public Cost cost(Map<String, ModelUsage> byModel) {
        BigDecimal usd = BigDecimal.ZERO;
        List<String> unpriced = new ArrayList<>();
        for (Map.Entry<String, ModelUsage> e : new java.util.TreeMap<>(byModel).entrySet()) {
            Optional<BigDecimal> c = cost(e.getKey(), e.getValue());
            if (c.isPresent()) {
                usd = usd.add(c.get());
            } else {
                unpriced.add(e.getKey());
            }
        }
        return new Cost(usd.stripTrailingZeros(), List.copyOf(new TreeSet<>(unpriced)));
    }

    /** {@code 0.000123}, never {@code 1.23E-4}. */
    public static String format(BigDecimal usd) {
        return usd.signum() == 0 ? "0" : usd.toPlainString();
    }
}
