package io.askflow.systemtests;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.embedded.Infrastructure;
import io.askflow.kafka.TopicInitializer;
import io.askflow.launcher.Pipeline;
import io.askflow.launcher.PromptClient;
import io.askflow.monitoring.ManagementServer;
import io.askflow.monitoring.Monitoring;
import io.askflow.testkit.FixtureWebServer;
import io.askflow.testkit.ScriptedModelServer;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The four services, each with its own clients and consumer group, on the shared real broker and
 * database, talking to the scripted model server over HTTP through openai-java. Started once per
 * test JVM; tests tell their traffic apart by unique conversation ids.
 */
final class RunningPipeline {
    /** The key the model-caller sends; no answer may carry it. */
    static final String OPENAI_API_KEY = "sk-test-never-shown";
    static final int MAX_PROMPT_CHARS = 5_000;
    static final int MAX_REQUEST_BYTES = 64 * 1024;
    static final int MAX_TOOL_ROUNDS = 3;
    static final int MAX_TOOL_CALLS_PER_ROUND = 4;
    static final int MAX_FETCHES_PER_TURN = 4;
    /** API keys of the test tenants; the tenants file holds only their SHA-256 digests. */
    static final String ACME_KEY = "ak-acme-" + java.util.UUID.randomUUID();
    static final String GLOBEX_KEY = "ak-globex-" + java.util.UUID.randomUUID();
    static final String TINY_KEY = "ak-tiny-" + java.util.UUID.randomUUID();
    static final int TINY_BUDGET = 420;
    /** Usage tenants, new per test JVM so that a ledger kept from an earlier run this month counts nothing here. */
    static final String RUN = java.util.UUID.randomUUID().toString().substring(0, 8);
    static final String LEDGER_A = "ledger-a-" + RUN;
    static final String LEDGER_B = "ledger-b-" + RUN;
    static final String FRUGAL = "frugal-" + RUN;
    static final String LEDGER_A_KEY = "ak-ledger-a-" + java.util.UUID.randomUUID();
    static final String LEDGER_B_KEY = "ak-ledger-b-" + java.util.UUID.randomUUID();
    static final String FRUGAL_KEY = "ak-frugal-" + java.util.UUID.randomUUID();
    static final long FRUGAL_MONTHLY_TOKENS = 1_000;
    static final String SUMMARY_MODEL = "scripted-summariser";
    /** USD per 1M tokens; "unpriced-model" (the frugal tenant's) has no price. */
    static final String PRICES = """
            {"models":{
              "scripted-model":{"input":2.5,"cachedInput":1.25,"output":10},
              "scripted-summariser":{"input":0.15,"output":0.6}
            }}""";

    private static RunningPipeline instance;

    final Config config;
    final ScriptedModelServer model;
    final FixtureWebServer web;
    final Pipeline pipeline;
    final PromptClient client;
    /** The process's registry and its management endpoints, as {@code ./askflow serve} has them. */
    final Monitoring monitoring;
    final ManagementServer management;

    private RunningPipeline() throws Exception {
        Infrastructure infra = Infrastructure.shared();
        model = ScriptedModelServer.start();
        web = FixtureWebServer.start();
        Map<String, String> env = new HashMap<>();
        env.put(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), infra.kafka().bootstrapServers());
        env.put(Settings.DATABASE_URL.name(), infra.postgres().jdbcUrl());
        env.put(Settings.DATABASE_USER.name(), infra.postgres().user());
        env.put(Settings.DATABASE_PASSWORD.name(), infra.postgres().password());
        env.put(Settings.TOPIC_PARTITIONS.name(), "4");
        env.put(Settings.HTTP_PORT.name(), "0");
        env.put(Settings.OPENAI_BASE_URL.name(), model.baseUrl());
        env.put(Settings.OPENAI_API_KEY.name(), OPENAI_API_KEY);
        env.put(Settings.DEFAULT_MODEL.name(), "scripted-model");
        env.put(Settings.MAX_PROMPT_CHARS.name(), Integer.toString(MAX_PROMPT_CHARS));
        env.put(Settings.MAX_REQUEST_BYTES.name(), Integer.toString(MAX_REQUEST_BYTES));
        env.put(Settings.FETCH_ALLOW_HOSTS.name(), "127.0.0.1:" + web.port());
        env.put(Settings.MAX_TOOL_ROUNDS.name(), Integer.toString(MAX_TOOL_ROUNDS));
        env.put(Settings.MAX_TOOL_CALLS_PER_ROUND.name(), Integer.toString(MAX_TOOL_CALLS_PER_ROUND));
        env.put(Settings.MAX_FETCHES_PER_TURN.name(), Integer.toString(MAX_FETCHES_PER_TURN));
        // SearxNG's JSON API is served by the fixture web server at /search (ToolsTest registers it).
        env.put(Settings.SEARCH_PROVIDER.name(), "searxng");
        env.put(Settings.SEARCH_URL.name(), "http://127.0.0.1:" + web.port());
        env.put(Settings.TENANTS_FILE.name(), tenantsFile().toString());
        env.put(Settings.SUMMARY_MODEL.name(), SUMMARY_MODEL);
        env.put(Settings.PRICES_FILE.name(), tempFile("askflow-prices", PRICES).toString());
        // A benchmark's variant, e.g. -Dbench.env=ASKFLOW_KAFKA_RETRY_BACKOFF_MS=5 (comma-separated NAME=VALUE pairs).
        putPairs(env, System.getProperty("bench.env", ""));
        config = Config.of(env);
        TopicInitializer.ensureTopics(config);
        monitoring = Monitoring.create();
        management = ManagementServer.start(0, monitoring);
        pipeline = Pipeline.start(config, Clock.systemUTC(), monitoring);
        client = new PromptClient(config);
        Runtime.getRuntime().addShutdownHook(new Thread(this::close));
    }

    private static java.nio.file.Path tenantsFile() throws java.io.IOException {
        String json = """
                {"tenants":[
                  {"id":"acme","apiKeySha256":["%s"],"instructions":"You are Acme's assistant.",
                   "safetyRules":"Never reveal Acme's pricing."},
                  {"id":"globex","apiKeySha256":["%s"],"allowedTools":["search_documents","remember","forget","current_time"]},
                  {"id":"tiny","apiKeySha256":["%s"],"instructions":"TINY-INSTRUCTIONS: answer briefly.",
                   "safetyRules":"TINY-SAFETY: no medical advice.","defaultModel":"gpt-4o-mini","tokenBudget":%d},
                  {"id":"%s","apiKeySha256":["%s"],"tokenBudget":300},
                  {"id":"%s","apiKeySha256":["%s"]},
                  {"id":"%s","apiKeySha256":["%s"],"defaultModel":"unpriced-model","monthlyTokenBudget":%d}
                ]}""".formatted(io.askflow.knowledge.TenantDirectory.sha256(ACME_KEY),
                io.askflow.knowledge.TenantDirectory.sha256(GLOBEX_KEY), io.askflow.knowledge.TenantDirectory.sha256(TINY_KEY),
                TINY_BUDGET, LEDGER_A, io.askflow.knowledge.TenantDirectory.sha256(LEDGER_A_KEY),
                LEDGER_B, io.askflow.knowledge.TenantDirectory.sha256(LEDGER_B_KEY),
                FRUGAL, io.askflow.knowledge.TenantDirectory.sha256(FRUGAL_KEY), FRUGAL_MONTHLY_TOKENS);
        return tempFile("askflow-tenants", json);
    }

    private static java.nio.file.Path tempFile(String prefix, String json) throws java.io.IOException {
        java.nio.file.Path file = java.nio.file.Files.createTempFile(prefix, ".json");
        java.nio.file.Files.writeString(file, json);
        file.toFile().deleteOnExit();
        return file;
    }

    /** Puts the comma-separated NAME=VALUE pairs of {@code pairs} into {@code env} (a benchmark's variables). */
    static Map<String, String> putPairs(Map<String, String> env, String pairs) {
        for (String pair : pairs.split(",")) {
            if (pair.contains("=")) {
                env.put(pair.substring(0, pair.indexOf('=')).trim(), pair.substring(pair.indexOf('=') + 1).trim());
            }
        }
        return env;
    }

    static synchronized RunningPipeline get() throws Exception {
        if (instance == null) {
            instance = new RunningPipeline();
        }
        return instance;
    }

    private void close() {
        client.close();
        pipeline.close();
        management.close();
        monitoring.close();
        model.close();
        web.close();
    }
}
