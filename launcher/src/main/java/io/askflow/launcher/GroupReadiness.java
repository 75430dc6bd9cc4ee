package io.askflow.launcher;

import io.askflow.config.Config;
import io.askflow.kafka.KafkaClients;
import io.askflow.service.StartupFailure;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * Waits until every consumer group of the pipeline has finished its first join: the group is
 * stable and its partitions are assigned. Until then a request waits in Kafka for the first
 * rebalances (the group coordinator, {@code __consumer_offsets} and {@code __transaction_state}
 * being created on a fresh broker), which made the first turn after "up" take about three seconds.
 * Asked of the broker rather than of the runners, so it needs no hook in the services.
 */
final class GroupReadiness {
    private GroupReadiness() {
    }

    static void await(Config config, Collection<String> groups, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = KafkaClients.admin(config, "askflow-launcher-readiness")) {
            while (true) {
                if (allAssigned(admin, groups)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new StartupFailure("The services' consumer groups did not get their partitions within "
                            + timeout.toSeconds() + " s; see the log above, or raise ASKFLOW_STARTUP_TIMEOUT.");
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupFailure("Interrupted while waiting for the consumer groups", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new StartupFailure("Kafka did not describe the consumer groups: " + e.getMessage(), e);
        }
    }

    private static boolean allAssigned(Admin admin, Collection<String> groups)
            throws InterruptedException, ExecutionException, TimeoutException {
        for (Map.Entry<String, KafkaFuture<ConsumerGroupDescription>> group
                : admin.describeConsumerGroups(groups).describedGroups().entrySet()) {
            try {
                if (!assigned(group.getValue().get(10, TimeUnit.SECONDS))) {
                    return false;
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof GroupIdNotFoundException) {
                    return false; // its consumer has not reached the coordinator yet
                }
                throw e;
            }
        }
        return true;
    }

    private static boolean assigned(ConsumerGroupDescription group) {
        // anyMatch, not allMatch: on a shared cluster a group may have more members than partitions.
        return group.groupState() == GroupState.STABLE
                && group.members().stream().anyMatch(m -> !m.assignment().topicPartitions().isEmpty());
    }
}
