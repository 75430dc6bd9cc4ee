package io.askflow.knowledge;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Ids that cannot be guessed: 128 random bits. Guessing one would not reach another tenant's data
 * (every query names the tenant), but unguessable ids keep even existence from leaking.
 */
final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    static String next(String prefix) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return prefix + "-" + HexFormat.of().formatHex(bytes);
    }
}
