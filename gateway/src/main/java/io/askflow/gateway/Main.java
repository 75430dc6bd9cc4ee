package io.askflow.gateway;

import io.askflow.config.Config;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the gateway until SIGTERM. Configuration comes from ASKFLOW_* environment variables. */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    public static void main(String[] args) throws Exception {
        Config config = Config.fromEnv();
        LOG.info("Starting gateway with {}", config.describe());
        GatewayService gateway = GatewayService.start(config, Clock.systemUTC());
        LOG.info("Gateway serving HTTP on port {}", gateway.httpPort());
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stop.countDown();
        }));
        stop.await();
    }
}
