package io.askflow.embedded;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How {@link EmbeddedKafka#start(java.nio.file.Path, SaslScram)} secures a broker: clients
 * authenticate with SASL/SCRAM-SHA-256 on the client listener, and every request is authorized
 * against ACLs by KRaft's {@code StandardAuthorizer}, so a principal without an ACL is refused.
 * The users' credentials are written into the cluster when its storage is formatted; the super user
 * is also the broker's own identity between its listeners and may create the others' ACLs.
 *
 * <p>{@link #toString()} leaves the passwords out.
 *
 * @param superUser the super user's name; must be one of {@code passwords}
 * @param passwords password by user name
 */
public record SaslScram(String superUser, Map<String, String> passwords) {
    public static final String MECHANISM = "SCRAM-SHA-256";
    /** What the storage tool's {@code --add-scram} and a JAAS line accept without quoting. */
    private static final Pattern PLAIN_TOKEN = Pattern.compile("[A-Za-z0-9_.-]+");

    public SaslScram {
        Objects.requireNonNull(superUser, "superUser");
        passwords = Map.copyOf(passwords);
        if (!passwords.containsKey(superUser)) {
            throw new IllegalArgumentException("no password for the super user " + superUser);
        }
        passwords.forEach((user, password) -> {
            if (!PLAIN_TOKEN.matcher(user).matches() || !PLAIN_TOKEN.matcher(password).matches()) {
                throw new IllegalArgumentException("user names and passwords must match " + PLAIN_TOKEN + ": " + user);
            }
        });
    }

    /** The Kafka client properties that authenticate as {@code user}. */
    public Map<String, String> clientProperties(String user) {
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("unknown user " + user);
        }
        return clientProperties(user, password);
    }

    /** The same, with any password: for showing that a wrong one is refused. */
    public static Map<String, String> clientProperties(String user, String password) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_PLAINTEXT");
        p.put("sasl.mechanism", MECHANISM);
        p.put("sasl.jaas.config", jaas("org.apache.kafka.common.security.scram.ScramLoginModule", user, password));
        return p;
    }

    static String jaas(String loginModule, String user, String password) {
        return loginModule + " required username=\"" + user + "\" password=\"" + password + "\";";
    }

    @Override
    public String toString() {
        return "SaslScram[superUser=" + superUser + ", users=" + passwords.keySet() + "]";
    }
}
