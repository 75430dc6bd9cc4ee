package io.askflow.tools.search;

/** One web search hit, as any provider reports it; every field is untrusted text from the provider. */
public record SearchResult(String title, String url, String snippet) {
}
