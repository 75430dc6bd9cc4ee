package io.askflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.embedded.Infrastructure;
import io.askflow.message.Answer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher returns only once the pipeline can take a turn without waiting for rebalances. */
class EmbeddedRunTest {
    @TempDir
    Path dataDir;

    @Test
    void everyConsumerGroupHasItsPartitionsBeforeStartReturns() throws Exception {
        Infrastructure infra = Infrastructure.shared();
        Map<String, String> env = Map.of(
                "ASKFLOW_KAFKA_BOOTSTRAP_SERVERS", infra.kafka().bootstrapServers(),
                "ASKFLOW_DATABASE_URL", infra.postgres().jdbcUrl(),
                "ASKFLOW_DATABASE_USER", infra.postgres().user(),
                "ASKFLOW_DATABASE_PASSWORD", infra.postgres().password(),
                "ASKFLOW_DATA_DIR", dataDir.toString());
        try (EmbeddedRun run = EmbeddedRun.start(env, false);
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafka().bootstrapServers()))) {
            // Read at once, before any turn: the state start() waited for.
            Map<String, ConsumerGroupDescription> groups = admin.describeConsumerGroups(Pipeline.GROUPS).all().get(30, TimeUnit.SECONDS);
            assertThat(groups.values()).allSatisfy(g -> {
                assertThat(g.groupState()).as(g.groupId()).isEqualTo(GroupState.STABLE);
                assertThat(g.members()).as(g.groupId()).anySatisfy(m -> assertThat(m.assignment().topicPartitions()).isNotEmpty());
            });
            // Pipeline.GROUPS is complete: the services joined no group it does not list.
            Set<String> existing = admin.listGroups().all().get(30, TimeUnit.SECONDS).stream()
                    .map(GroupListing::groupId).collect(Collectors.toSet());
            assertThat(Pipeline.GROUPS).containsExactlyInAnyOrderElementsOf(existing);

            try (PromptClient client = new PromptClient(run.config())) {
                long t0 = System.nanoTime();
                String id = client.ask("c-first-turn", "What is today's date?");
                Answer answer = client.await(id, Duration.ofMinutes(2)).orElseThrow();
                System.out.printf("first turn after start: %.3f s%n", (System.nanoTime() - t0) / 1e9);
                assertThat(answer.isOk()).isTrue();
                assertThat(answer.toolRounds()).isEqualTo(1);
            }
        }
    }
}
