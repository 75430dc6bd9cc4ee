package io.askflow.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askflow.config.Config;
import io.askflow.message.ToolSpec;
import io.askflow.tool.BuiltinTools;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolRegistryTest {

    @Test
    void everyBuiltinToolHasAnImplementationWithTheSameSpec() {
        try (PageFetcher fetcher = new PageFetcher(HostAllowList.none(), PageFetcher.Resolver.DNS, Duration.ofSeconds(1),
                1024, Clock.systemUTC())) {
            ToolRegistry registry = ToolRunnerService.builtinTools(Config.of(Map.of()), Clock.systemUTC(), fetcher);
            for (ToolSpec spec : BuiltinTools.all()) {
                assertThat(registry.find(spec.name())).as(spec.name())
                        .hasValueSatisfying(tool -> assertThat(tool.spec()).isEqualTo(spec));
            }
            assertThat(registry.names()).containsExactlyInAnyOrderElementsOf(
                    BuiltinTools.all().stream().map(ToolSpec::name).toList());
            assertThat(registry.find("no_such_tool")).isEmpty();
        }
    }

    @Test
    void everyKnowledgeToolHasAnImplementationWithTheSameSpec() {
        List<Tool> tools = ToolRunnerService.knowledgeTools(null, null, 5);
        assertThat(tools).extracting(Tool::spec).containsExactlyElementsOf(BuiltinTools.knowledge());
    }

    @Test
    void duplicateNamesAreRejected() {
        CurrentTimeTool a = new CurrentTimeTool(Clock.systemUTC());
        CurrentTimeTool b = new CurrentTimeTool(Clock.systemUTC());
        assertThatThrownBy(() -> new ToolRegistry(List.of(a, b))).isInstanceOf(IllegalArgumentException.class);
    }
}
