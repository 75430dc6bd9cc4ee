package io.askflow.tools.search;

import io.askflow.tools.spi.ToolException;

import io.askflow.config.Config;
import io.askflow.config.ConfigException;
import io.askflow.config.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A web search API behind web_search. The provider's endpoint is the operator's choice, not the
 * model's, so it is reached with an ordinary HTTP client; only the query comes from the model.
 */
public interface SearchProvider {
    /** @return at most {@code maxResults} hits, best first */
    List<SearchResult> search(String query, int maxResults, Instant deadline) throws ToolException, InterruptedException;

    /**
     * The provider {@code ASKFLOW_SEARCH_PROVIDER} names, or empty when it is unset.
     *
     * @throws ConfigException for an unknown provider or a missing URL or API key
     */
    static Optional<SearchProvider> fromConfig(Config config, HttpClient http) {
        Optional<String> name = config.find(Settings.SEARCH_PROVIDER).map(n -> n.trim().toLowerCase(Locale.ROOT));
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Optional<URI> url = config.find(Settings.SEARCH_URL).map(u -> URI.create(u.trim().replaceAll("/+$", "")));
        return Optional.of(switch (name.get()) {
            case "searxng" -> new SearxngSearch(http, url.orElseThrow(() -> new ConfigException(
                    Settings.SEARCH_URL.name() + " is required for searxng: the base URL of your SearxNG instance")));
            case "brave" -> new BraveSearch(http, url.orElse(BraveSearch.DEFAULT_URL), apiKey(config, "brave"));
            case "tavily" -> new TavilySearch(http, url.orElse(TavilySearch.DEFAULT_URL), apiKey(config, "tavily"));
            default -> throw new ConfigException("Unknown " + Settings.SEARCH_PROVIDER.name() + " '" + name.get()
                    + "': use searxng, brave or tavily");
        });
    }

    private static String apiKey(Config config, String provider) {
        return config.find(Settings.SEARCH_API_KEY).orElseThrow(() -> new ConfigException(
                Settings.SEARCH_API_KEY.name() + " is required for " + provider));
    }
}
