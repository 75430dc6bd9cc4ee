package io.askflow.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's configuration table must list exactly the settings the code reads, with their defaults. */
class SettingsDocumentedTest {

    @Test
    void everySettingIsInTheReadmeWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (Setting<?> s : Settings.all()) {
            String row = readme.lines().filter(l -> l.startsWith("| `" + s.name() + "`")).findFirst()
                    .orElseThrow(() -> new AssertionError(s.name() + " is missing from the README's configuration table"));
            if (s.defaultValue() != null && !s.defaultValue().isEmpty() && s.defaultValue().length() < 60) {
                assertThat(row).as("README row of %s shows its default", s.name()).contains("`" + s.defaultValue() + "`");
            }
        }
    }

    @Test
    void everyPassThroughPatternHasItsReadmeRow() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (SettingPattern p : Settings.patterns()) {
            assertThat(readme.lines().anyMatch(l -> l.startsWith("| `" + p.name() + "`")))
                    .as("README's configuration table has a row for %s", p.name()).isTrue();
        }
    }

    /** A variable the README names is a setting, or one of a pattern that would really pass it through. */
    @Test
    void theReadmeDocumentsNoSettingThatDoesNotExist() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<String> known = Settings.all().stream().map(Setting::name).toList();
        Matcher m = Pattern.compile("`(ASKFLOW_[A-Z0-9_]+)`").matcher(readme);
        while (m.find()) {
            String name = m.group(1);
            boolean passedThrough = Settings.patterns().stream()
                    .anyMatch(p -> p.matches(name) && p.accepted().test(p.key(name)));
            assertThat(known.contains(name) || passedThrough).as("README mentions %s", name).isTrue();
        }
    }

    @Test
    void secretsAreNeverRendered() {
        Config c = Config.of(java.util.Map.of("OPENAI_API_KEY", "sk-very-secret", "ASKFLOW_DATABASE_PASSWORD", "hunter2",
                "ASKFLOW_KAFKA_SASL_JAAS_CONFIG", "x required username=\"u\" password=\"kafka-secret\";"));
        assertThat(c.describe()).doesNotContain("sk-very-secret").doesNotContain("hunter2").doesNotContain("kafka-secret")
                .contains("OPENAI_API_KEY=<set>").contains("ASKFLOW_KAFKA_SASL_JAAS_CONFIG=<set>");
        assertThat(c.toString()).doesNotContain("sk-very-secret");
    }

    @Test
    void invalidValuesNameTheSettingButNotASecret() {
        Config c = Config.of(java.util.Map.of("ASKFLOW_MAX_IN_FLIGHT", "lots"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.get(Settings.MAX_IN_FLIGHT))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ASKFLOW_MAX_IN_FLIGHT").hasMessageContaining("'lots'");
        assertThat(Config.of(java.util.Map.of("ASKFLOW_COMMIT_INTERVAL", "250")).get(Settings.COMMIT_INTERVAL))
                .isEqualTo(java.time.Duration.ofMillis(250));
    }
}
