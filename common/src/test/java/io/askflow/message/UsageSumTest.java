package io.askflow.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A turn's usage adds up call by call and per model, and version-1 usage stays readable and countable. */
class UsageSumTest {
    @Test
    void callsAddUpInTotalAndPerModel() {
        Usage summary = Usage.ofCall("gpt-4.1-nano", 700, 0, 40, 0, 740);
        Usage round = Usage.ofCall("gpt-4o-mini", 300, 128, 20, 5, 320);
        Usage last = Usage.ofCall("gpt-4o-mini", 412, 256, 11, 12, 423);
        Usage turn = Usage.ZERO.plus(summary).plus(round).plus(last);
        assertThat(turn).isEqualTo(new Usage(1412, 71, 1483, 384, 17, 3, Map.of(
                "gpt-4o-mini", new ModelUsage(712, 384, 31, 17, 2),
                "gpt-4.1-nano", new ModelUsage(700, 0, 40, 0, 1))));
        assertThat(turn.perModel("ignored")).isEqualTo(turn.byModel());
    }

    @Test
    void versionOneUsageReadsWithoutDetailsAndIsCountedUnderTheAnswersModel() {
        Usage old = Json.read("{\"promptTokens\":412,\"completionTokens\":31,\"totalTokens\":443}"
                .getBytes(StandardCharsets.UTF_8), Usage.class);
        assertThat(old).isEqualTo(new Usage(412, 31, 443));
        assertThat(Json.writeString(old)).isEqualTo("{\"promptTokens\":412,\"completionTokens\":31,\"totalTokens\":443}");
        assertThat(old.perModel("gpt-4o-mini")).isEqualTo(Map.of("gpt-4o-mini", new ModelUsage(412, 0, 31, 0, 0)));

        // A turn that began before an upgrade: its earlier rounds' tokens have no model, its later ones do.
        Usage mixed = old.plus(Usage.ofCall("gpt-4o", 100, 0, 10, 0, 110));
        assertThat(mixed.perModel("gpt-4o")).isEqualTo(Map.of("gpt-4o", new ModelUsage(512, 0, 41, 0, 1)));
    }

    @Test
    void aCallWithoutAModelNameIsStillCounted() {
        assertThat(Usage.ofCall(null, 5, 0, 1, 0, 6).byModel()).containsOnlyKeys("unknown");
    }
}
