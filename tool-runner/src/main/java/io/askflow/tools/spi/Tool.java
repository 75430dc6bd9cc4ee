package io.askflow.tools.spi;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.message.ToolSpec;
import java.time.Duration;

/**
 * One tool the model may call. {@code run} receives arguments already validated against
 * {@link #spec()}; a {@link ToolException} becomes an error result the model reads, anything else
 * is reported to the model as an unexpected failure.
 */
public interface Tool {
    ToolSpec spec();

    ToolOutput run(JsonNode arguments, ToolContext ctx) throws Exception;

    default String name() {
        return spec().name();
    }

    /**
     * How long one call may take; the executor also caps it by {@code ASKFLOW_TOOL_TIMEOUT} and the
     * turn's deadline, whichever is first.
     */
    default Duration timeout() {
        return Duration.ofSeconds(15);
    }

    /**
     * The permission a tenant needs for this tool, e.g. {@code web.fetch}: the name a tenant's
     * policy grants, so policies need not change when a tool is renamed or a second one needs the
     * same right. Permissions under {@code web.} reach the internet and count towards the turn's
     * web-request budget.
     */
    String permission();

    default boolean usesWeb() {
        return permission().startsWith("web.");
    }
}
