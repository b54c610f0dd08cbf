package vts.query;

/** Receives the buckets of an aggregation, in reply order. */
public interface BucketSink {
    /**
     * One bucket: its reported timestamp and one value per aggregator (the array is
     * reused: copy what you keep). Return false to stop the query.
     */
    boolean bucket(long timestamp, double[] values);

    /**
     * True if the sink writes values as text through {@link vts.bridge.DoubleFormat}: a
     * query decoded ahead may then have some values formatted by its helper thread.
     */
    default boolean writesText() {
        return false;
    }
}
