package io.askflow.config;

/** A configuration value is missing or cannot be parsed; raised at start-up, never mid-flight. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    public ConfigException(String message) {
        super(message);
    }
}
