package io.askflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.Headers;
import io.askflow.knowledge.Tenant;
import io.askflow.knowledge.TenantDirectory;
import io.askflow.message.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
    private static final Tenant ACME = new Tenant("acme", List.of(TenantDirectory.sha256("key-1")), null, null, null,
            null, null, null);
    private final Authenticator withAnonymous = new Authenticator(new TenantDirectory(List.of(ACME), "default"));
    private final Authenticator keysRequired = new Authenticator(new TenantDirectory(List.of(ACME), ""));

    @Test
    void aKeyInEitherHeaderNamesItsTenant() {
        assertThat(keysRequired.authenticate(headers("X-Api-Key", "key-1")).id()).isEqualTo("acme");
        assertThat(keysRequired.authenticate(headers("Authorization", "Bearer key-1")).id()).isEqualTo("acme");
        assertThat(keysRequired.authenticate(headers("Authorization", "bearer key-1")).id()).isEqualTo("acme");
    }

    @Test
    void noKeyIsTheAnonymousTenantWhenThereIsOneAndA401Otherwise() {
        assertThat(withAnonymous.authenticate(new Headers()).id()).isEqualTo("default");
        assertUnauthorized(() -> keysRequired.authenticate(new Headers()), "An API key is required");
    }

    @Test
    void aWrongKeyOrSchemeIsA401EvenWhereAnonymousCallsAreAllowed() {
        assertUnauthorized(() -> withAnonymous.authenticate(headers("X-Api-Key", "key-2")), "The API key is not valid");
        assertUnauthorized(() -> withAnonymous.authenticate(headers("Authorization", "Bearer key-2")), "not valid");
        assertUnauthorized(() -> withAnonymous.authenticate(headers("Authorization", "Basic a2V5LTE=")),
                "Authorization must be 'Bearer <API key>'");
    }

    private static Headers headers(String name, String value) {
        Headers h = new Headers();
        h.add(name, value);
        return h;
    }

    private static void assertUnauthorized(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(HttpCall.Failure.class, f -> {
            assertThat(f.status).isEqualTo(401);
            assertThat(f.code).isEqualTo(ErrorCode.UNAUTHORIZED);
            assertThat(f.getMessage()).contains(message);
        });
    }
}
