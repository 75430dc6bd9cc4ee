package io.askflow.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README's configuration table must list exactly the settings the code reads, with their defaults. */
class SettingsDocumentedTest {
    private static final Pattern ROW = Pattern.compile("\\| `([A-Z0-9_<>]+)` \\| ([^|]+) \\|.*");

    @Test
    void everySettingHasARowShowingItsOwnDefault() throws Exception {
        Map<String, String> defaults = configurationTable(readme());
        for (Setting<?> s : Settings.all()) {
            assertThat(defaults).as("the README's configuration table").containsKey(s.name());
            String shown = defaults.get(s.name());
            String d = s.defaultValue();
            if (d == null) {
                assertThat(shown).as("README default of %s, which has none", s.name()).matches("\\(.+\\)");
            } else if (d.isEmpty()) {
                assertThat(shown).as("README default of %s", s.name()).isEqualTo("(empty)");
            } else if (shown.startsWith("\"") && shown.endsWith(" ...\"")) {
                // A default too long for the table shows its beginning, quoted.
                assertThat(d).as("README default of %s is the beginning of the real one", s.name())
                        .startsWith(shown.substring(1, shown.length() - " ...\"".length()));
            } else {
                assertThat(shown).as("README default of %s", s.name()).isEqualTo("`" + d + "`");
            }
        }
    }

    @Test
    void everyRowOfTheConfigurationTableIsASettingOrAPattern() throws Exception {
        List<String> known = Stream.concat(Settings.all().stream().map(Setting::name),
                Settings.patterns().stream().map(SettingPattern::name)).toList();
        assertThat(configurationTable(readme()).keySet()).as("rows of the README's configuration table")
                .allSatisfy(name -> assertThat(known).contains(name));
    }

    @Test
    void theTableReaderSeesEveryRowAndItsDefaultCell() {
        String text = """
                ## Configuration

                | variable | default | meaning |
                | --- | --- | --- |
                | `ASKFLOW_A` | `1` | One. |
                | `ASKFLOW_B` | (unset) | Has a `|`-free doc. |

                | `ASKFLOW_NOT_IN_THE_TABLE` | `2` | After the blank line. |
                """;
        assertThat(configurationTable(text)).containsExactly(Map.entry("ASKFLOW_A", "`1`"), Map.entry("ASKFLOW_B", "(unset)"));
    }

    private static String readme() throws Exception {
        return Files.readString(Path.of("..", "README.md"));
    }

    /** Variable to the default cell, as written, of the table under "## Configuration", which ends at its first blank line. */
    private static Map<String, String> configurationTable(String readme) {
        List<String> lines = readme.lines().toList();
        int header = lines.indexOf("| variable | default | meaning |");
        assertThat(header).as("the configuration table's header row").isNotNegative();
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : lines.subList(header + 2, lines.size())) {
            if (line.isBlank()) {
                break;
            }
            Matcher m = ROW.matcher(line);
            assertThat(m.matches()).as("a configuration row: %s", line).isTrue();
            assertThat(rows.put(m.group(1), m.group(2).strip())).as("a second row for %s", m.group(1)).isNull();
        }
        return rows;
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
