package io.askflow.context;

import com.zaxxer.hikari.HikariDataSource;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.db.Database;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Outgoing;
import io.askflow.kafka.Route;
import io.askflow.kafka.Runner;
import io.askflow.kafka.TopicInitializer;
import io.askflow.kafka.Topics;
import io.askflow.message.Answer;
import io.askflow.message.ErrorCode;
import io.askflow.message.Turn;
import io.askflow.tool.BuiltinTools;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;

/** The context-builder, wired: turns in, model calls out; answers in, history updated. */
public final class ContextBuilderService implements AutoCloseable {
    public static final String GROUP = "askflow-context-builder";

    private final HikariDataSource db;
    private final Runner runner;

    private ContextBuilderService(Config config, Clock clock) {
        TopicInitializer.ensureTopics(config);
        db = Database.open(config, "context-builder");
        History history = new History(db);
        ContextAssembler assembler = new ContextAssembler(history, new DateLine(clock), new ContextAssembler.Options(
                config.get(Settings.SYSTEM_INSTRUCTIONS), config.get(Settings.HISTORY_MAX_MESSAGES),
                ZoneId.of(config.get(Settings.DEFAULT_TIME_ZONE)), BuiltinTools.offered(config)));

        runner = KafkaClients.exactlyOnceRunner(config, GROUP, List.of(
                Route.of(Topics.TURNS,
                        in -> List.of(Outgoing.to(Topics.MODEL_CALLS, in.key(), assembler.assemble(in.value()))),
                        (in, error) -> List.of(internalError(in.value(), clock))),
                Route.of(Topics.ANSWERS, in -> {
                    if (in.value().isOk()) {
                        history.recordAnswer(in.value(), clock.instant());
                    }
                    return List.of();
                }))).start();
    }

    public static ContextBuilderService start(Config config, Clock clock) {
        return new ContextBuilderService(config, clock);
    }

    private static Outgoing internalError(Turn turn, Clock clock) {
        Answer error = Answer.error(turn.requestId(), turn.tenantId(), turn.conversationId(), turn.userId(),
                ErrorCode.INTERNAL, "The context-builder could not prepare this turn", clock.instant());
        return Outgoing.to(Topics.ANSWERS, turn.conversationId(), error);
    }

    @Override
    public void close() {
        runner.close();
        db.close();
    }
}
