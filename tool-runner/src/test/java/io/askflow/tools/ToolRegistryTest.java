package io.askflow.tools;

import io.askflow.tools.search.SearchProvider;
import io.askflow.tools.spi.Tool;
import io.askflow.tools.spi.ToolRegistry;
import io.askflow.tools.time.CurrentTimeTool;
import io.askflow.tools.web.HostAllowList;
import io.askflow.tools.web.HostResolver;
import io.askflow.tools.web.PageFetcher;

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
        PageFetcher fetcher = new PageFetcher(HostAllowList.none(), HostResolver.SYSTEM, Duration.ofSeconds(1),
                1024, Clock.systemUTC());
        SearchProvider search = (query, max, deadline) -> List.of();
        for (Config config : List.of(Config.of(Map.of()), Config.of(Map.of("ASKFLOW_SEARCH_PROVIDER", "searxng")))) {
            List<ToolSpec> offered = BuiltinTools.offered(config);
            // The stores are not used here: only the tools' specs are compared.
            ToolRegistry registry = ToolRunnerService.builtinTools(config, Clock.systemUTC(), fetcher,
                    offered.contains(BuiltinTools.WEB_SEARCH) ? java.util.Optional.of(search) : java.util.Optional.empty())
                    .with(ToolRunnerService.knowledgeTools(new io.askflow.knowledge.MemoryStore(null),
                            new io.askflow.knowledge.DocumentStore(null), 5));
            for (ToolSpec spec : offered) {
                assertThat(registry.find(spec.name())).as(spec.name())
                        .hasValueSatisfying(tool -> assertThat(tool.spec()).isEqualTo(spec));
            }
            assertThat(registry.names()).containsExactlyInAnyOrderElementsOf(offered.stream().map(ToolSpec::name).toList());
            assertThat(registry.find("no_such_tool")).isEmpty();
        }
        assertThat(BuiltinTools.offered(Config.of(Map.of()))).extracting(ToolSpec::name)
                .containsExactly("current_time", "fetch_url", "remember", "forget", "search_documents");
        assertThat(BuiltinTools.offered(Config.of(Map.of("ASKFLOW_SEARCH_PROVIDER", "brave")))).extracting(ToolSpec::name)
                .containsExactly("current_time", "fetch_url", "web_search", "remember", "forget", "search_documents");
    }

    @Test
    void everyToolDeclaresATimeoutAndAPermission() {
        PageFetcher fetcher = new PageFetcher(HostAllowList.none(), HostResolver.SYSTEM, Duration.ofSeconds(10),
                1024, Clock.systemUTC());
        ToolRegistry registry = ToolRunnerService.builtinTools(Config.of(Map.of()), Clock.systemUTC(), fetcher,
                java.util.Optional.of((query, max, deadline) -> List.of()));
        assertThat(registry.names()).allSatisfy(name -> {
            Tool tool = registry.find(name).orElseThrow();
            assertThat(tool.timeout()).isPositive();
            assertThat(tool.permission()).isNotBlank();
        });
        assertThat(registry.find("fetch_url").orElseThrow().usesWeb()).isTrue();
        assertThat(registry.find("web_search").orElseThrow().usesWeb()).isTrue();
        assertThat(registry.find("current_time").orElseThrow().usesWeb()).isFalse();
        assertThat(registry.find("fetch_url").orElseThrow().timeout()).isEqualTo(Duration.ofSeconds(12));
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
