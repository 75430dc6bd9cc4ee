package io.askflow.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.askflow.knowledge.Tenant;
import io.askflow.knowledge.TenantDirectory;
import io.askflow.message.AskflowMessage;
import io.askflow.message.Envelope;
import io.askflow.message.ErrorCode;
import io.askflow.message.HistoryMessage;
import io.askflow.message.Json;
import io.askflow.message.MessageFormatException;
import io.askflow.message.PromptRequest;
import io.askflow.message.StorableText;
import io.askflow.message.Turn;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Decides whether submitted bytes are a request askflow will run. Every way a request can be wrong
 * maps to a coded rejection with a message that says which field and why; nothing throws.
 */
final class RequestValidator {
    static final String DEFAULT_TENANT = "default";
    static final String ANONYMOUS_USER = "anonymous";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9._:/-]{1,128}");
    private static final int MAX_METADATA_ENTRIES = 32;

    record Limits(int maxRequestBytes, int maxPromptChars, Duration defaultDeadline) {
    }

    private final Limits limits;
    private final TenantDirectory tenants;

    RequestValidator(Limits limits) {
        this(limits, new TenantDirectory(java.util.List.of(), DEFAULT_TENANT));
    }

    RequestValidator(Limits limits, TenantDirectory tenants) {
        this.limits = limits;
        this.tenants = tenants;
    }

    /**
     * For HTTP: the tenant is the API key's. A request naming another tenant is refused rather than
     * quietly re-labelled, so a caller learns its request was not what it thought.
     */
    Verdict validate(byte[] bytes, String fallbackRequestId, Instant now, String authenticatedTenant) {
        return validate(bytes, fallbackRequestId, now, Optional.of(authenticatedTenant));
    }

    /**
     * @param fallbackRequestId used when the request brings none (HTTP generates one; Kafka requests must bring their own)
     */
    Verdict validate(byte[] bytes, String fallbackRequestId, Instant now) {
        return validate(bytes, fallbackRequestId, now, Optional.empty());
    }

    /** @param authenticated the caller's tenant when it proved one (HTTP); empty for trusted producers (Kafka) */
    private Verdict validate(byte[] bytes, String fallbackRequestId, Instant now, Optional<String> authenticated) {
        if (bytes == null || bytes.length == 0) {
            return reject(ErrorCode.INVALID_REQUEST, "The request is empty; expected a PromptRequest JSON object", null);
        }
        if (bytes.length > limits.maxRequestBytes()) {
            return reject(ErrorCode.TOO_LARGE, "The request is " + bytes.length + " bytes; the limit is "
                    + limits.maxRequestBytes(), bestEffort(bytes, authenticated));
        }
        JsonNode tree;
        try {
            tree = Json.treeAsSent(bytes);
        } catch (MessageFormatException e) {
            return reject(ErrorCode.INVALID_REQUEST, "The request is not valid JSON: " + e.getMessage(), null);
        }
        if (!tree.isObject()) {
            return reject(ErrorCode.INVALID_REQUEST, "The request must be a JSON object", null);
        }
        PartialIds ids = PartialIds.of(tree, authenticated);
        Optional<String> unstorable = unstorable(tree, "");
        if (unstorable.isPresent()) {
            return reject(ErrorCode.INVALID_REQUEST, unstorable.get(), ids);
        }
        PromptRequest r;
        try {
            r = Json.mapper().treeToValue(tree, PromptRequest.class);
        } catch (MismatchedInputException e) {
            return reject(ErrorCode.INVALID_REQUEST, wrongType(e), ids);
        } catch (Exception e) {
            return reject(ErrorCode.INVALID_REQUEST, "A field has the wrong type: " + firstLine(e.getMessage()), ids);
        }
        return validate(r, fallbackRequestId, now, authenticated);
    }

    Verdict validate(PromptRequest r, String fallbackRequestId, Instant now) {
        return validate(r, fallbackRequestId, now, Optional.empty());
    }

    private Verdict validate(PromptRequest r, String fallbackRequestId, Instant now, Optional<String> authenticated) {
        String requestId = r.requestId() != null ? r.requestId() : fallbackRequestId;
        // A rejection is labelled with the caller's own tenant, never with one it merely named.
        PartialIds ids = new PartialIds(requestId, authenticated.orElse(r.tenantId()), r.conversationId(), r.userId());
        if (r.schemaVersion() > AskflowMessage.CURRENT_SCHEMA_VERSION) {
            return reject(ErrorCode.INVALID_REQUEST, "schemaVersion " + r.schemaVersion() + " is newer than this gateway ("
                    + AskflowMessage.CURRENT_SCHEMA_VERSION + ")", ids);
        }
        if (requestId == null || requestId.isBlank()) {
            return reject(ErrorCode.INVALID_REQUEST, "requestId is required", ids);
        }
        if (!ID.matcher(requestId).matches()) {
            return reject(ErrorCode.INVALID_REQUEST, "requestId must be 1-128 characters of letters, digits and ._:@-", ids);
        }
        for (Map.Entry<String, String> field : Map.of("tenantId", nz(r.tenantId()), "conversationId", nz(r.conversationId()),
                "userId", nz(r.userId())).entrySet()) {
            if (!field.getValue().isEmpty() && !ID.matcher(field.getValue()).matches()) {
                return reject(ErrorCode.INVALID_REQUEST, field.getKey() + " must be 1-128 characters of letters, digits and ._:@-", ids);
            }
        }
        String tenantId;
        if (authenticated.isPresent()) {
            if (r.tenantId() != null && !r.tenantId().equals(authenticated.get())) {
                return reject(ErrorCode.UNAUTHORIZED, "tenantId '" + r.tenantId()
                        + "' is not the tenant of this API key; leave it out or name your own", ids);
            }
            tenantId = authenticated.get();
        } else {
            Optional<String> named = Optional.ofNullable(r.tenantId()).or(() -> tenants.anonymous().map(Tenant::id));
            if (named.isEmpty()) {
                return reject(ErrorCode.UNAUTHORIZED, "tenantId is required", ids);
            }
            if (tenants.isConfigured() && tenants.find(named.get()).isEmpty()) {
                return reject(ErrorCode.UNAUTHORIZED, "tenantId '" + named.get() + "' is not a configured tenant", ids);
            }
            tenantId = named.get();
        }
        if (r.prompt() == null || r.prompt().isBlank()) {
            return reject(ErrorCode.INVALID_REQUEST, "prompt is required and must not be blank", ids);
        }
        if (r.prompt().length() > limits.maxPromptChars()) {
            return reject(ErrorCode.TOO_LARGE, "prompt has " + r.prompt().length() + " characters; the limit is "
                    + limits.maxPromptChars(), ids);
        }
        if (r.model() != null && !MODEL.matcher(r.model()).matches()) {
            return reject(ErrorCode.INVALID_REQUEST, "model must be 1-128 characters of letters, digits and ._:/-", ids);
        }
        if (r.timeZone() != null) {
            try {
                ZoneId.of(r.timeZone());
            } catch (DateTimeException e) {
                return reject(ErrorCode.INVALID_REQUEST, "timeZone '" + r.timeZone() + "' is not an IANA time zone", ids);
            }
        }
        if (r.deadline() != null && !r.deadline().isAfter(now)) {
            return reject(ErrorCode.INVALID_REQUEST, "deadline " + r.deadline() + " has already passed", ids);
        }
        if (r.metadata() != null && r.metadata().size() > MAX_METADATA_ENTRIES) {
            return reject(ErrorCode.INVALID_REQUEST, "metadata may have at most " + MAX_METADATA_ENTRIES + " entries", ids);
        }
        for (int i = 0; r.history() != null && i < r.history().size(); i++) {
            HistoryMessage m = r.history().get(i);
            if (m == null || m.role() == null || !HistoryMessage.ROLES.contains(m.role())) {
                return reject(ErrorCode.INVALID_REQUEST, "history[" + i + "].role must be system, user or assistant", ids);
            }
            if (m.content() == null) {
                return reject(ErrorCode.INVALID_REQUEST, "history[" + i + "].content is required", ids);
            }
        }
        Turn turn = Turn.builder()
                .envelope(Envelope.builder().requestId(requestId).tenantId(tenantId)
                        .conversationId(r.conversationId() == null ? UUID.randomUUID().toString() : r.conversationId())
                        .userId(r.userId() == null ? ANONYMOUS_USER : r.userId())
                        .deadline(r.deadline() != null ? r.deadline() : now.plus(limits.defaultDeadline())).build())
                .prompt(r.prompt()).model(r.model()).timeZone(r.timeZone()).acceptedAt(now).metadata(r.metadata())
                .history(r.history()).build();
        // History joins the fingerprint only when sent, so requests without it keep the digests stored before it existed.
        Object[] submitted = {r.conversationId(), r.userId(), r.prompt(), r.model(), r.timeZone(), r.deadline(),
                r.metadata(), null};
        if (r.history() != null) {
            submitted = java.util.Arrays.copyOf(submitted, submitted.length + 1);
            submitted[submitted.length - 1] = r.history();
        }
        return new Verdict.Accepted(turn, Verdict.Accepted.fingerprint(submitted));
    }

    private static Verdict reject(ErrorCode code, String message, PartialIds ids) {
        PartialIds i = ids == null ? new PartialIds(null, null, null, null) : ids;
        return new Verdict.Rejected(code, message, i.requestId, i.tenantId, i.conversationId, i.userId);
    }

    /** The ids of an oversized request, if it is JSON at all, so its rejection can still be correlated. */
    private static PartialIds bestEffort(byte[] bytes, Optional<String> authenticated) {
        try {
            return PartialIds.of(Json.tree(bytes), authenticated);
        } catch (MessageFormatException e) {
            return authenticated.map(t -> new PartialIds(null, t, null, null)).orElse(null);
        }
    }

    /**
     * Caller text PostgreSQL cannot store is refused, naming the field, rather than silently changed:
     * the caller can fix it, and what is stored is what it sent.
     */
    private static Optional<String> unstorable(JsonNode node, String path) {
        if (node.isTextual()) {
            int at = StorableText.firstUnstorable(node.textValue());
            return at < 0 ? Optional.empty() : Optional.of(fieldName(path) + " contains "
                    + StorableText.describe(node.textValue().charAt(at)) + " at index " + at
                    + ", which askflow cannot store; remove it");
        }
        var fields = node.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            String at = path.isEmpty() ? f.getKey() : path + "." + f.getKey();
            int bad = StorableText.firstUnstorable(f.getKey());
            if (bad >= 0) {
                return Optional.of("A field name in " + fieldName(path) + " contains "
                        + StorableText.describe(f.getKey().charAt(bad)) + ", which askflow cannot store");
            }
            Optional<String> inside = unstorable(f.getValue(), at);
            if (inside.isPresent()) {
                return inside;
            }
        }
        for (int i = 0; node.isArray() && i < node.size(); i++) {
            Optional<String> inside = unstorable(node.get(i), path + "[" + i + "]");
            if (inside.isPresent()) {
                return inside;
            }
        }
        return Optional.empty();
    }

    private static String fieldName(String path) {
        return path.isEmpty() ? "the request" : path;
    }

    /** Names the field and the type it must have, e.g. "prompt must be a string, not a number". */
    private static String wrongType(MismatchedInputException e) {
        String field = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(java.util.stream.Collectors.joining(".")).replace(".[", "[");
        Class<?> target = e.getTargetType();
        String expected = target == null ? "of another type"
                : target == String.class ? "a string"
                : target == int.class || target == Integer.class || target == long.class ? "an integer"
                : Instant.class.isAssignableFrom(target) ? "an ISO-8601 instant string"
                : Map.class.isAssignableFrom(target) ? "an object of strings"
                : java.util.Collection.class.isAssignableFrom(target) ? "an array"
                : "of another type";
        return (field.isEmpty() ? "A field" : field) + " must be " + expected;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String firstLine(String s) {
        String m = String.valueOf(s);
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private record PartialIds(String requestId, String tenantId, String conversationId, String userId) {
        /** An authenticated caller's rejection is labelled with its own tenant, never one the body names. */
        static PartialIds of(JsonNode tree, Optional<String> authenticated) {
            return new PartialIds(text(tree, "requestId"), authenticated.orElseGet(() -> text(tree, "tenantId")),
                    text(tree, "conversationId"), text(tree, "userId"));
        }

        private static String text(JsonNode tree, String field) {
            JsonNode n = tree.get(field);
            return n != null && n.isTextual() && ID.matcher(n.asText()).matches() ? n.asText() : null;
        }
    }
}
