package io.askflow.message;

/**
 * Every key askflow puts into a message's {@code metadata} map, declared once. Answer metadata is
 * read by backends (README, "Answers"), so these names are part of the contract.
 */
public final class MetadataKeys {
    /** The model that wrote the answer, as the API reported it. */
    public static final String MODEL = "model";
    /** Why the answer is not from a real model (the offline local model says so here). */
    public static final String MODEL_NOTICE = "model.notice";
    /** The API's {@code system_fingerprint}, when it sends one. */
    public static final String SYSTEM_FINGERPRINT = "system_fingerprint";
    /** Which tool budget ran out, when the answer was written with what the tools returned so far. */
    public static final String BUDGET = "budget";
    /**
     * Set by the tool-runner on a model call when it refused calls because a budget ran out (the
     * value names the budget); the model-caller then asks the model for a final answer without tools.
     */
    public static final String BUDGET_EXHAUSTED = "askflow.budget.exhausted";
    /**
     * What the turn's model calls cost in US dollars, from {@code ASKFLOW_PRICES_FILE} (a decimal
     * string, exact); set only when every model the turn used has a price.
     */
    public static final String COST_USD = "cost.usd";
    /** The turn's models without a price in {@code ASKFLOW_PRICES_FILE}, comma-separated: then there is no {@link #COST_USD}. */
    public static final String COST_UNPRICED = "cost.unpriced";

    private MetadataKeys() {
    }
}
