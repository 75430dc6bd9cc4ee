package io.askflow.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration key, declared once with its documentation and default, so that the README's
 * configuration table and the running code can never disagree about either.
 *
 * @param name the environment variable
 * @param defaultValue the default as it would be written in the environment; {@code null} when unset by default
 * @param doc one sentence for the configuration reference
 * @param secret a secret's value is never rendered by {@link Config#describe()} or any toString
 * @param emptyIsAValue whether a variable set to the empty string means that empty value rather
 *     than the default; for the few settings where empty says something ({@link Settings#ANONYMOUS_TENANT}:
 *     no anonymous tenant). For the rest, {@code NAME=} in a compose file or shell means "unset".
 */
public record Setting<T>(String name, String defaultValue, String doc, boolean secret, boolean emptyIsAValue,
        Function<String, T> parser) {

    public Setting {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(doc, "doc");
        Objects.requireNonNull(parser, "parser");
    }

    public Setting(String name, String defaultValue, String doc, boolean secret, Function<String, T> parser) {
        this(name, defaultValue, doc, secret, false, parser);
    }

    public static Setting<String> string(String name, String defaultValue, String doc) {
        return new Setting<>(name, defaultValue, doc, false, Function.identity());
    }

    /** A string for which {@code NAME=} (set, empty) is a value of its own, distinct from unset. */
    public static Setting<String> emptiable(String name, String defaultValue, String doc) {
        return new Setting<>(name, defaultValue, doc, false, true, String::strip);
    }

    public static Setting<String> secret(String name, String doc) {
        return new Setting<>(name, null, doc, true, Function.identity());
    }

    public static Setting<Integer> integer(String name, int defaultValue, String doc) {
        return new Setting<>(name, Integer.toString(defaultValue), doc, false, Integer::parseInt);
    }

    /** Durations are written in ISO-8601 ({@code PT30S}) or as plain milliseconds ({@code 30000}). */
    public static Setting<Duration> duration(String name, String defaultValue, String doc) {
        return new Setting<>(name, defaultValue, doc, false, Setting::parseDuration);
    }

    public static Setting<List<String>> list(String name, String defaultValue, String doc) {
        return new Setting<>(name, defaultValue, doc, false, Setting::parseList);
    }

    /** {@code true} or {@code false}, nothing else, so a typo fails at start-up instead of meaning false. */
    public static Setting<Boolean> bool(String name, boolean defaultValue, String doc) {
        return new Setting<>(name, Boolean.toString(defaultValue), doc, false, Setting::parseBoolean);
    }

    static boolean parseBoolean(String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }

    static Duration parseDuration(String text) {
        String t = text.trim();
        if (t.chars().allMatch(Character::isDigit)) {
            return Duration.ofMillis(Long.parseLong(t));
        }
        return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
    }

    static List<String> parseList(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Override
    public String toString() {
        return name;
    }
}
