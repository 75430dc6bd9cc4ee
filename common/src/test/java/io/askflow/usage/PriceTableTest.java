package io.askflow.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askflow.config.Config;
import io.askflow.config.ConfigException;
import io.askflow.config.Settings;
import io.askflow.message.ModelUsage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceTableTest {
    private static final PriceTable TABLE = PriceTable.parse("""
            {"models":{"gpt-4o-mini":{"input":0.15,"cachedInput":0.075,"output":0.6},
                       "gpt-4o":{"input":2.5,"output":10}}}""");

    @Test
    void uncachedCachedAndOutputTokensEachAtTheirPrice() {
        // 1000 input of which 400 cached, 200 output (50 of them reasoning, billed as output).
        ModelUsage u = new ModelUsage(1000, 400, 200, 50, 2);
        BigDecimal expected = new BigDecimal("0.15").multiply(BigDecimal.valueOf(600))
                .add(new BigDecimal("0.075").multiply(BigDecimal.valueOf(400)))
                .add(new BigDecimal("0.6").multiply(BigDecimal.valueOf(200))).divide(BigDecimal.valueOf(1_000_000));
        assertThat(TABLE.cost("gpt-4o-mini", u)).hasValueSatisfying(c -> assertThat(c).isEqualByComparingTo(expected));
        assertThat(PriceTable.format(TABLE.cost("gpt-4o-mini", u).orElseThrow())).isEqualTo("0.00024");
    }

    @Test
    void withoutACachedPriceCachedInputCostsTheInputPrice() {
        assertThat(TABLE.cost("gpt-4o", new ModelUsage(1_000_000, 1_000_000, 0, 0, 1)))
                .hasValueSatisfying(c -> assertThat(c).isEqualByComparingTo("2.5"));
    }

    @Test
    void aDatedSnapshotHasItsBaseModelsPriceButAnotherModelHasNone() {
        assertThat(TABLE.price("gpt-4o-mini-2024-07-18")).isEqualTo(TABLE.price("gpt-4o-mini"));
        assertThat(TABLE.price("gpt-4o-0613")).isEqualTo(TABLE.price("gpt-4o"));
        assertThat(TABLE.price("gpt-4o-audio-preview")).isEmpty();
        assertThat(TABLE.price("o3")).isEmpty();
    }

    @Test
    void aTurnWithAnUnpricedModelHasNoTotalCostButNamesTheModel() {
        PriceTable.Cost cost = TABLE.cost(Map.of("gpt-4o", new ModelUsage(10, 0, 1, 0, 1),
                "llama-3", new ModelUsage(10, 0, 1, 0, 1)));
        assertThat(cost.complete()).isFalse();
        assertThat(cost.unpriced()).isEqualTo(List.of("llama-3"));
        assertThat(PriceTable.NONE.isConfigured()).isFalse();
        assertThat(PriceTable.NONE.cost(Map.of("gpt-4o", new ModelUsage(1, 0, 1, 0, 1))).unpriced()).containsExactly("gpt-4o");
    }

    @Test
    void aBadFileStopsStartUpWithOneLineNamingTheFileAndTheProblem(@TempDir Path dir) throws IOException {
        for (String[] bad : List.of(
                new String[] {"{\"gpt-4o\":{\"input\":1,\"output\":2}}", "expected {\"models\""},
                new String[] {"{\"models\":{\"gpt-4o\":{\"input\":1}}}", "model gpt-4o: output must be a number >= 0"},
                new String[] {"{\"models\":{\"gpt-4o\":{\"input\":-1,\"output\":2}}}", "input must be a number >= 0"},
                new String[] {"{\"models\":{\"gpt-4o\":{\"input\":\"1\",\"output\":2}}}", "input must be a number"},
                new String[] {"{\"models\":{\"gpt-4o\":{\"input\":1,\"ouput\":2}}}", "unknown field ouput"},
                new String[] {"{not json", "Not valid JSON"})) {
            Path file = Files.writeString(dir.resolve("prices.json"), bad[0]);
            Config config = Config.of(Map.of(Settings.PRICES_FILE.name(), file.toString()));
            assertThatThrownBy(() -> PriceTable.from(config)).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("Cannot read ASKFLOW_PRICES_FILE " + file)
                    .hasMessageContaining(bad[1])
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
        Config missing = Config.of(Map.of(Settings.PRICES_FILE.name(), dir.resolve("absent.json").toString()));
        assertThatThrownBy(() -> PriceTable.from(missing)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("absent.json");
    }

    @Test
    void theExampleFileInTheRepositoryParses() throws IOException {
        PriceTable example = PriceTable.parse(Files.readString(Path.of("../docs/prices.example.json")));
        assertThat(example.price("gpt-4o-mini")).isPresent();
    }
}
