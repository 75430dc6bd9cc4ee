package io.askflow.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.knowledge.DocumentInfo;
import io.askflow.knowledge.DocumentStore;
import io.askflow.knowledge.MemoryStore;
import io.askflow.knowledge.UserProfiles;
import io.askflow.message.Json;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The caller's tenant's own data over HTTP:
 * <ul>
 *   <li>{@code GET /v1/users/{userId}/memories}, {@code DELETE /v1/users/{userId}/memories/{memoryId}};</li>
 *   <li>{@code GET|PUT /v1/users/{userId}/profile} ({@code {"timeZone":"Europe/Berlin"}});</li>
 *   <li>{@code POST /v1/documents?title=..&userId=..} (body: the document, by its Content-Type),
 *       {@code GET /v1/documents}, {@code GET|DELETE /v1/documents/{documentId}}.</li>
 * </ul>
 */
final class UserDataApi implements HttpApi.Routes {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

    private final MemoryStore memories;
    private final UserProfiles profiles;
    private final DocumentStore documents;
    private final DocumentIntake intake;

    UserDataApi(MemoryStore memories, UserProfiles profiles, DocumentStore documents, DocumentIntake intake) {
        this.memories = memories;
        this.profiles = profiles;
        this.documents = documents;
        this.intake = intake;
    }

    @Override
    public boolean handle(HttpCall call) throws Exception {
        var s = call.segments();
        if (s.size() >= 4 && s.get(0).equals("v1") && s.get(1).equals("users") && s.get(3).equals("memories")) {
            return memories(call, id(s.get(2)), s.size() == 5 ? s.get(4) : null);
        }
        if (s.size() == 4 && s.get(0).equals("v1") && s.get(1).equals("users") && s.get(3).equals("profile")) {
            return profile(call, id(s.get(2)));
        }
        if (s.size() >= 2 && s.get(0).equals("v1") && s.get(1).equals("documents") && s.size() <= 3) {
            return documents(call, s.size() == 3 ? s.get(2) : null);
        }
        return false;
    }

    private boolean memories(HttpCall call, String userId, String memoryId) throws Exception {
        if (memoryId == null && call.method().equals("GET")) {
            call.respond(200, Map.of("memories", memories.list(call.tenantId(), userId, 1_000).stream()
                    .map(m -> Map.of("id", m.id(), "text", m.text(), "createdAt", m.createdAt().toString())).toList()));
            return true;
        }
        if (memoryId != null && call.method().equals("DELETE")) {
            if (!memories.delete(call.tenantId(), userId, memoryId)) {
                throw HttpCall.notFound("Memory " + memoryId);
            }
            call.respond(200, Map.of("deleted", memoryId));
            return true;
        }
        return false;
    }

    private boolean profile(HttpCall call, String userId) throws Exception {
        if (call.method().equals("GET")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("userId", userId);
            profiles.timeZone(call.tenantId(), userId).ifPresent(z -> body.put("timeZone", z));
            call.respond(200, body);
            return true;
        }
        if (call.method().equals("PUT")) {
            JsonNode body = Json.tree(call.body(16 * 1024));
            String zone = body.path("timeZone").asText("");
            try {
                ZoneId.of(zone);
            } catch (DateTimeException e) {
                throw HttpCall.badRequest("timeZone '" + zone + "' is not an IANA time zone");
            }
            profiles.setTimeZone(call.tenantId(), userId, zone);
            call.respond(200, Map.of("userId", userId, "timeZone", zone));
            return true;
        }
        return false;
    }

    private boolean documents(HttpCall call, String documentId) throws Exception {
        if (documentId == null && call.method().equals("POST")) {
            byte[] body = call.body(intake.maxBytes());
            DocumentInfo d = intake.add(null, call.tenantId(), call.query("userId").map(UserDataApi::id).orElse(null),
                    call.query("title").orElse(null), call.header("Content-Type").orElse("text/plain"), body);
            call.respond(201, d);
            return true;
        }
        if (documentId == null && call.method().equals("GET")) {
            call.respond(200, Map.of("documents", documents.list(call.tenantId(), 1_000)));
            return true;
        }
        if (documentId != null && call.method().equals("GET")) {
            DocumentInfo d = documents.find(call.tenantId(), documentId)
                    .orElseThrow(() -> HttpCall.notFound("Document " + documentId));
            Map<String, Object> body = new LinkedHashMap<>(Json.mapper().convertValue(d, Map.class));
            body.put("text", documents.text(call.tenantId(), documentId).orElse(""));
            call.respond(200, body);
            return true;
        }
        if (documentId != null && call.method().equals("DELETE")) {
            if (!documents.delete(call.tenantId(), documentId)) {
                throw HttpCall.notFound("Document " + documentId);
            }
            call.respond(200, Map.of("deleted", documentId));
            return true;
        }
        return false;
    }

    static String id(String raw) {
        if (!ID.matcher(raw).matches()) {
            throw HttpCall.badRequest("ids are 1-128 characters of letters, digits and ._:@-");
        }
        return raw;
    }
}
