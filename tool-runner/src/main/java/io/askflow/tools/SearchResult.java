package io.askflow.tools;

/** One web search hit, as any provider reports it; every field is untrusted text from the provider. */
record SearchResult(String title, String url, String snippet) {
}
