package io.askflow.config;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A family of environment variables passed through to a library's own properties, declared once
 * like a {@link Setting}: every variable that starts with {@code prefix} and is not itself a declared
 * setting names the property {@link #key} derives from it (the rest of the name lower-cased,
 * {@code _} read as {@code .}), e.g. {@code ASKFLOW_KAFKA_SASL_JAAS_CONFIG} is {@code sasl.jaas.config}.
 *
 * @param prefix the common start of the variables, e.g. {@code ASKFLOW_KAFKA_}
 * @param doc one sentence for the configuration reference
 * @param accepted whether a derived key may be passed through (a known property, not one askflow manages)
 * @param secret whether a derived key's value must never be rendered by {@link Config#describe()}
 */
public record SettingPattern(String prefix, String doc, Predicate<String> accepted, Predicate<String> secret) {

    public SettingPattern {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(doc, "doc");
        Objects.requireNonNull(accepted, "accepted");
        Objects.requireNonNull(secret, "secret");
    }

    /** How the pattern is written in the README's configuration table. */
    public String name() {
        return prefix + "<PROPERTY>";
    }

    public boolean matches(String variable) {
        return variable.startsWith(prefix) && variable.length() > prefix.length();
    }

    /** The property a variable of this pattern names. */
    public String key(String variable) {
        if (!matches(variable)) {
            throw new IllegalArgumentException(variable + " does not start with " + prefix);
        }
        return variable.substring(prefix.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** The variable that names {@code key}: the inverse of {@link #key}. */
    public String variable(String key) {
        return prefix + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    @Override
    public String toString() {
        return name();
    }
}
