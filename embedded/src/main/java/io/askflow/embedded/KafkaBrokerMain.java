package io.askflow.embedded;

import java.io.IOException;
import java.io.InputStream;

/**
 * Entry point of the child JVM that {@link EmbeddedKafka} starts: runs {@code kafka.Kafka} and
 * halts when the parent goes away.
 *
 * <p>A JVM shutdown hook in the parent cannot run when the parent is killed with SIGKILL (for
 * example a Surefire fork that timed out), and an orphaned broker would keep its ports and disk.
 * The parent keeps the child's stdin open as a pipe; when the parent dies the pipe reaches end of
 * file and this watchdog halts the broker.
 */
public final class KafkaBrokerMain {

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(KafkaBrokerMain::haltWhenParentGoesAway, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        kafka.Kafka.main(args);
    }

    private static void haltWhenParentGoesAway() {
        InputStream in = System.in;
        try {
            while (in.read() != -1) {
                // Nothing is ever written; reading just blocks until the pipe closes.
            }
        } catch (IOException e) {
            // A broken pipe means the same as end of file.
        }
        Runtime.getRuntime().halt(3);
    }
}
