package io.askflow.localmodel;

import com.fasterxml.jackson.databind.JsonNode;

/** A function tool the client offered in {@code tools}; {@code parameters} is its JSON schema, or null. */
public record OfferedTool(String name, String description, JsonNode parameters) {
}
