package io.askflow.tools.spi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askflow.message.Json;
import io.askflow.message.MessageFormatException;
import io.askflow.message.ToolSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the model's argument text against a tool's JSON schema before the tool sees it. Only the
 * subset of JSON Schema that askflow's tool specs use is understood: an object with typed
 * properties ({@code string}, {@code integer}, {@code number}, {@code boolean}, {@code object},
 * {@code array}), {@code required}, {@code additionalProperties: false} and {@code enum}. Models
 * do send broken arguments, so every problem becomes a message the model can correct, never an
 * exception out of the handler.
 */
final class ArgumentValidator {
    private ArgumentValidator() {
    }

    /**
     * @return the arguments as a JSON object, with {@code null}-valued optional properties removed
     * @throws ToolException saying every problem found, e.g. {@code missing required property "url"}
     */
    static ObjectNode parse(ToolSpec spec, String argumentText) throws ToolException {
        // Some models send "" rather than "{}" for a tool without arguments.
        String text = argumentText == null || argumentText.isBlank() ? "{}" : argumentText;
        JsonNode node;
        try {
            node = Json.tree(text);
        } catch (MessageFormatException e) {
            throw invalid(spec, List.of("not valid JSON (" + e.getMessage() + ")"));
        }
        if (node == null || !node.isObject()) {
            throw invalid(spec, List.of("arguments must be a JSON object, got " + describe(node)));
        }
        ObjectNode args = ((ObjectNode) node).deepCopy();
        JsonNode schema = spec.parameters();
        JsonNode properties = schema.path("properties");
        Set<String> required = new HashSet<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        List<String> problems = new ArrayList<>();

        // Strict-mode models send null for an optional property they leave out; treat it as absent.
        args.properties().removeIf(e -> e.getValue().isNull() && !required.contains(e.getKey()));
        for (JsonNode r : schema.path("required")) {
            JsonNode value = args.get(r.asText());
            if (value == null || value.isNull()) {
                problems.add("missing required property \"" + r.asText() + "\"");
            }
        }
        for (Map.Entry<String, JsonNode> e : args.properties()) {
            JsonNode propertySchema = properties.get(e.getKey());
            if (propertySchema == null) {
                if (schema.path("additionalProperties").isBoolean() && !schema.path("additionalProperties").asBoolean()) {
                    problems.add("unknown property \"" + e.getKey() + "\"" + allowedNames(properties));
                }
                continue;
            }
            if (e.getValue().isNull()) {
                continue; // a null required property is already reported as missing
            }
            checkValue(e.getKey(), e.getValue(), propertySchema, problems);
        }
        if (!problems.isEmpty()) {
            throw invalid(spec, problems);
        }
        return args;
    }

    private static void checkValue(String name, JsonNode value, JsonNode schema, List<String> problems) {
        String type = schema.path("type").asText("");
        boolean ok = switch (type) {
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber() || (value.isNumber() && value.canConvertToExactIntegral());
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            default -> true; // no type, or one our specs do not use: nothing to check
        };
        if (!ok) {
            problems.add("property \"" + name + "\" must be " + article(type) + " " + type + ", got " + describe(value));
            return;
        }
        JsonNode allowed = schema.get("enum");
        if (allowed != null && allowed.isArray()) {
            boolean listed = false;
            for (JsonNode a : allowed) {
                listed |= a.equals(value) || (a.isNumber() && value.isNumber() && a.decimalValue().compareTo(value.decimalValue()) == 0);
            }
            if (!listed) {
                problems.add("property \"" + name + "\" must be one of " + allowed + ", got " + value);
            }
        }
    }

    private static ToolException invalid(ToolSpec spec, List<String> problems) {
        return new ToolException("invalid arguments for " + spec.name() + ": " + String.join("; ", problems));
    }

    private static String allowedNames(JsonNode properties) {
        List<String> names = new ArrayList<>();
        properties.fieldNames().forEachRemaining(n -> names.add("\"" + n + "\""));
        return names.isEmpty() ? " (this tool takes no arguments)" : " (allowed: " + String.join(", ", names) + ")";
    }

    private static String article(String type) {
        return type.startsWith("a") || type.startsWith("i") || type.startsWith("o") ? "an" : "a";
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
