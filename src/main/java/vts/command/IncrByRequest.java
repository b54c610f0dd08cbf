package vts.command;

/**
 * TS.INCRBY / TS.DECRBY key delta [TIMESTAMP ts] [options].
 *
 * @param decrement  TS.DECRBY
 * @param delta      finite or infinite, never NaN
 * @param serverTime no TIMESTAMP or TIMESTAMP *: the caller uses its clock
 */
public record IncrByRequest(byte[] key, boolean decrement, double delta, long timestamp, boolean serverTime,
                            SeriesOptions create) {

    public long timestampOr(long now) {
        return serverTime ? now : timestamp;
    }

    /** The signed amount to add to the latest value. */
    public double signedDelta() {
        return decrement ? -delta : delta;
    }
}
