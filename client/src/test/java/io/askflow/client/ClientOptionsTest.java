package io.askflow.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class ClientOptionsTest {
    @Test
    void defaultsAreTheDocumentedOnes() {
        ClientOptions o = ClientOptions.builder().build();
        assertThat(o.bootstrapServers()).isEqualTo(Settings.KAFKA_BOOTSTRAP_SERVERS.defaultValue());
        assertThat(o.answerTimeout()).isEqualTo(Duration.ofSeconds(150));
        assertThat(o.sendTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.startTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.recentAnswers()).isEqualTo(10_000);
        assertThat(o.callbackExecutor()).isEmpty();
        assertThat(o.clientId()).startsWith("askflow-client-");
    }

    @Test
    void kafkaSettingsComeFromAnAskflowConfigAndBootstrapServersOverrideThem() {
        Config config = Config.of(Map.of(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), "broker:9092"));
        assertThat(ClientOptions.builder().config(config).build().bootstrapServers()).isEqualTo("broker:9092");
        assertThat(ClientOptions.builder().config(config).bootstrapServers("other:9093").build().bootstrapServers())
                .isEqualTo("other:9093");
    }

    @Test
    void optionsAreImmutableAndToBuilderCopiesEverything() {
        Executor direct = Runnable::run;
        ClientOptions o = ClientOptions.builder().bootstrapServers("b:1").clientId("billing").sendTimeout(Duration.ofSeconds(1))
                .answerTimeout(Duration.ofSeconds(2)).startTimeout(Duration.ofSeconds(3)).recentAnswers(7)
                .callbackExecutor(direct).build();
        ClientOptions changed = o.toBuilder().clientId("other").build();

        assertThat(o.clientId()).isEqualTo("billing");
        assertThat(changed.clientId()).isEqualTo("other");
        assertThat(changed.bootstrapServers()).isEqualTo("b:1");
        assertThat(changed.sendTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(changed.answerTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(changed.startTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(changed.recentAnswers()).isEqualTo(7);
        assertThat(changed.callbackExecutor()).containsSame(direct);
    }

    @Test
    void nonsenseIsRefusedWithTheOptionsName() {
        assertThatThrownBy(() -> ClientOptions.builder().answerTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("answerTimeout");
        assertThatThrownBy(() -> ClientOptions.builder().sendTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sendTimeout");
        assertThatThrownBy(() -> ClientOptions.builder().bootstrapServers(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootstrapServers");
        assertThatThrownBy(() -> ClientOptions.builder().recentAnswers(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("recentAnswers");
    }
}
