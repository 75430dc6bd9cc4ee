package io.askflow.model;

import io.askflow.message.ModelCall;
import io.askflow.message.Usage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Counts and times every call that reaches the model API, by model and outcome, and the tokens it
 * reports, by model and tenant. Around the bare model, inside the fault policy: a call the rate gate
 * or the quota breaker refuses never reaches the API and is not counted here.
 */
final class MeteredModel implements ChatModel {
    private final ChatModel model;
    private final MeterRegistry registry;

    MeteredModel(ChatModel model, MeterRegistry registry) {
        this.model = model;
        this.registry = registry;
    }

    @Override
    public Reply complete(ModelCall call, String modelName, boolean offerTools) {
        return complete(call, modelName, offerTools, Deltas.NONE);
    }

    // The wrapped model streams only when this form reaches it: the default would drop the deltas.
    @Override
    public Reply complete(ModelCall call, String modelName, boolean offerTools, Deltas deltas) {
        long started = System.nanoTime();
        String outcome = "error";
        try {
            Reply reply = model.complete(call, modelName, offerTools, deltas);
            outcome = "ok";
            tokens(modelName, call.tenantId(), reply.usage());
            return reply;
        } catch (RuntimeException e) {
            outcome = FailureClassifier.classify(e).code().wire();
            throw e;
        } finally {
            Timer.builder("askflow.model.calls").description("Calls to the model API, by model and outcome")
                    .tags("model", modelName, "outcome", outcome).publishPercentileHistogram().register(registry)
                    .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private void tokens(String modelName, String tenant, Usage usage) {
        count(modelName, tenant, "input", usage.promptTokens());
        count(modelName, tenant, "output", usage.completionTokens());
    }

    private void count(String modelName, String tenant, String type, long n) {
        Counter.builder("askflow.model.tokens").description("Tokens the model API reported, by model, tenant and type")
                .tags("model", modelName, "tenant", tenant, "type", type).register(registry).increment(n);
    }
}
