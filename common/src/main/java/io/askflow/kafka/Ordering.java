package io.askflow.kafka;

/** In which order the runner handles a route's records (as parallel-consumer's ProcessingOrder). */
public enum Ordering {
    /** Every record at once, each on its own virtual thread: the records of a key may finish in any order. */
    UNORDERED,
    /**
     * The records of one key within a partition one after another, in offset order, each only after
     * the one before it finished (handled, retried through transient failures, published); records
     * of different keys at once. Records without a key form one key.
     */
    KEY
}
