package io.askflow.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * An immutable view of the environment, read through declared {@link Setting}s. Services take a
 * {@code Config} rather than calling {@link System#getenv()} so that tests and the one-process
 * launcher can hand each service its own values.
 */
public final class Config {
    private final Map<String, String> values;

    private Config(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Config fromEnv() {
        return new Config(System.getenv());
    }

    public static Config of(Map<String, String> values) {
        return new Config(values);
    }

    /** A copy with one more value set; the launcher and tests override settings this way. */
    public Config with(Setting<?> setting, String value) {
        Map<String, String> copy = new HashMap<>(values);
        copy.put(setting.name(), value);
        return new Config(copy);
    }

    public <T> T get(Setting<T> setting) {
        return find(setting).orElseThrow(() -> new ConfigException(setting.name() + " is required: " + setting.doc()));
    }

    public <T> Optional<T> find(Setting<T> setting) {
        String raw = values.get(setting.name());
        if (raw == null || (raw.isBlank() && !setting.emptyIsAValue())) {
            raw = setting.defaultValue();
        }
        if (raw == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(setting.parser().apply(raw));
        } catch (RuntimeException e) {
            // Never echo a secret's value, even when it fails to parse.
            String shown = setting.secret() ? "<redacted>" : "'" + raw + "'";
            throw new ConfigException("Invalid value " + shown + " for " + setting.name() + ": " + e.getMessage(), e);
        }
    }

    /** Raw environment lookup for the few values the SDKs read themselves (e.g. OPENAI_BASE_URL). */
    public Optional<String> raw(String name) {
        return Optional.ofNullable(values.get(name)).filter(v -> !v.isBlank());
    }

    /**
     * The variables of {@code pattern} that are set (not blank), by variable name, in name order.
     * Declared settings that happen to share the prefix (e.g. {@code ASKFLOW_KAFKA_BOOTSTRAP_SERVERS})
     * are not part of it: they are read through their {@link Setting}.
     */
    public SortedMap<String, String> matching(SettingPattern pattern) {
        Set<String> declared = Settings.all().stream().map(Setting::name).collect(Collectors.toSet());
        SortedMap<String, String> found = new TreeMap<>();
        values.forEach((name, value) -> {
            if (pattern.matches(name) && !declared.contains(name) && value != null && !value.isBlank()) {
                found.put(name, value);
            }
        });
        return found;
    }

    /** The effective settings, secrets masked: safe to log at start-up. */
    public String describe() {
        Stream<String> settings = Settings.all().stream()
                .map(s -> s.name() + "=" + (s.secret() ? (find(s).isPresent() ? "<set>" : "<unset>")
                        : find(s).map(Object::toString).orElse("<unset>")));
        Stream<String> passedThrough = Settings.patterns().stream().flatMap(p -> matching(p).entrySet().stream()
                .map(e -> e.getKey() + "=" + (p.secret().test(p.key(e.getKey())) ? "<set>" : e.getValue())));
        return Stream.concat(settings, passedThrough).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return "Config[" + describe() + "]";
    }
}
