package io.askflow.gateway;

import com.sun.net.httpserver.Headers;
import io.askflow.knowledge.Tenant;
import io.askflow.knowledge.TenantDirectory;
import io.askflow.message.ErrorCode;

/**
 * Who an HTTP caller is: the tenant of its API key ({@code Authorization: Bearer KEY} or
 * {@code X-Api-Key: KEY}), else the anonymous tenant if one is configured. Nothing else the caller
 * sends (an {@code X-Tenant-Id} header, a tenantId in the body) chooses the tenant.
 */
final class Authenticator {
    private final TenantDirectory tenants;

    Authenticator(TenantDirectory tenants) {
        this.tenants = tenants;
    }

    /** @throws HttpCall.Failure 401 for a wrong key, or for no key when keys are required */
    Tenant authenticate(Headers headers) {
        String key = headers.getFirst("X-Api-Key");
        String authorization = headers.getFirst("Authorization");
        if (key == null && authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new HttpCall.Failure(401, ErrorCode.UNAUTHORIZED, "Authorization must be 'Bearer <API key>'");
            }
            key = authorization.substring(7);
        }
        if (key == null) {
            return tenants.anonymous().orElseThrow(() -> new HttpCall.Failure(401, ErrorCode.UNAUTHORIZED,
                    "An API key is required (Authorization: Bearer <key> or X-Api-Key)"));
        }
        return tenants.authenticate(key)
                .orElseThrow(() -> new HttpCall.Failure(401, ErrorCode.UNAUTHORIZED, "The API key is not valid"));
    }
}
