package io.askflow.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Entry point of the child JVM that {@link EmbeddedKafka} starts: runs {@code kafka.Kafka} and
 * halts when the parent goes away.
 *
 * <p>A JVM shutdown hook in the parent cannot run when the parent is killed with SIGKILL (for
 * example a Surefire fork that timed out), and an orphaned broker would keep its ports and disk.
 * The parent keeps the child's stdin open as a pipe; when the parent dies the pipe reaches end of
 * file and this watchdog halts the broker.
 *
 * <p>Arguments: {@code [--format FORMATTER-ARGS... --] server.properties}. A first start formats the
 * storage here, in the broker's own JVM, before the broker starts; a failed format exits with its
 * code, and its output is in the broker log.
 */
public final class KafkaBrokerMain {

    static final String FORMAT = "--format";
    static final String END_OF_FORMAT = "--";

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(KafkaBrokerMain::haltWhenParentGoesAway, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        String[] broker = args;
        if (args.length > 0 && FORMAT.equals(args[0])) {
            int end = Arrays.asList(args).indexOf(END_OF_FORMAT);
            if (end < 0) {
                System.err.println("KafkaBrokerMain: " + FORMAT + " without " + END_OF_FORMAT);
                System.exit(2);
            }
            int code = format(Arrays.copyOfRange(args, 1, end));
            if (code != 0) {
                System.exit(code);
            }
            broker = Arrays.copyOfRange(args, end + 1, args.length);
        }
        kafka.Kafka.main(broker);
    }

    private static int format(String[] args) {
        try {
            return kafka.tools.StorageTool.execute(args, System.out);
        } catch (Exception e) {
            System.err.println("Formatting Kafka storage failed: " + e);
            return 1;
        }
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
