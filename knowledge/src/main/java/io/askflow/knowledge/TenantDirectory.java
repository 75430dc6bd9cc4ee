package io.askflow.knowledge;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.askflow.config.Config;
import io.askflow.config.ConfigException;
import io.askflow.config.Settings;
import io.askflow.message.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The tenants askflow serves and how callers prove which one they are. API keys are looked up by
 * their SHA-256 digest; the configuration holds only digests, so a leaked file leaks no key.
 *
 * <p>Keyless callers belong to the anonymous tenant ({@code ASKFLOW_ANONYMOUS_TENANT}, default
 * {@code default}) when one is configured, so the quick start needs no configuration; setting it
 * empty makes every HTTP call need a key.
 */
public final class TenantDirectory {
    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record File(List<Tenant> tenants) {
    }

    private final Map<String, Tenant> byId;
    private final Map<String, Tenant> byKeyDigest;
    private final String anonymousTenant;

    public TenantDirectory(List<Tenant> tenants, String anonymousTenant) {
        Map<String, Tenant> ids = new HashMap<>();
        Map<String, Tenant> keys = new HashMap<>();
        for (Tenant t : tenants) {
            if (ids.putIfAbsent(t.id(), t) != null) {
                throw new IllegalArgumentException("Tenant " + t.id() + " is configured twice");
            }
            for (String digest : t.apiKeySha256()) {
                String d = digest.toLowerCase(java.util.Locale.ROOT);
                if (!DIGEST.matcher(d).matches()) {
                    throw new IllegalArgumentException("Tenant " + t.id() + ": apiKeySha256 entries must be 64 hex digits");
                }
                if (keys.putIfAbsent(d, t) != null) {
                    throw new IllegalArgumentException("An API key is configured for two tenants");
                }
            }
        }
        String anonymous = anonymousTenant == null || anonymousTenant.isBlank() ? null : anonymousTenant.trim();
        if (anonymous != null) {
            ids.putIfAbsent(anonymous, Tenant.plain(anonymous));
        }
        this.byId = Map.copyOf(ids);
        this.byKeyDigest = Map.copyOf(keys);
        this.anonymousTenant = anonymous;
    }

    /** From {@code ASKFLOW_TENANTS_FILE} (JSON {@code {"tenants":[...]}}) and {@code ASKFLOW_ANONYMOUS_TENANT}. */
    public static TenantDirectory from(Config config) {
        String anonymous = config.find(Settings.ANONYMOUS_TENANT).orElse("");
        Optional<String> file = config.find(Settings.TENANTS_FILE);
        if (file.isEmpty()) {
            return new TenantDirectory(List.of(), anonymous);
        }
        try {
            File parsed = Json.read(Files.readAllBytes(Path.of(file.get())), File.class);
            return new TenantDirectory(parsed.tenants() == null ? List.of() : parsed.tenants(), anonymous);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("Cannot read " + Settings.TENANTS_FILE.name() + " " + file.get() + ": "
                    + e.getMessage(), e);
        }
    }

    public Optional<Tenant> find(String tenantId) {
        return tenantId == null ? Optional.empty() : Optional.ofNullable(byId.get(tenantId));
    }

    /** The tenant for a key, compared by digest. */
    public Optional<Tenant> authenticate(String apiKey) {
        if (apiKey == null || apiKey.isBlank()) {
            return Optional.empty();
        }
        return Optional.ofNullable(byKeyDigest.get(sha256(apiKey.strip())));
    }

    /** The tenant of callers without a key, if keyless calls are allowed. */
    public Optional<Tenant> anonymous() {
        return find(anonymousTenant);
    }

    /** The tenant's configuration, or a plain one for a tenant not configured (e.g. named by a trusted producer). */
    public Tenant policy(String tenantId) {
        return find(tenantId).orElseGet(() -> Tenant.plain(tenantId));
    }

    public boolean isConfigured() {
        return !byKeyDigest.isEmpty() || byId.size() > (anonymousTenant == null ? 0 : 1);
    }

    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
    }
}
