package vts.command;

/**
 * TS.ADD key timestamp value [options] [ON_DUPLICATE policy].
 *
 * @param serverTime  the timestamp was "*": the caller uses its clock (timestamp is then 0)
 * @param value       may be NaN ("nan" is accepted, as by the reference)
 * @param onDuplicate ON_DUPLICATE, NONE when absent
 * @param create      options for creating a missing series
 */
public record AddRequest(byte[] key, long timestamp, boolean serverTime, double value,
                         DuplicatePolicy onDuplicate, SeriesOptions create) {

    /** The sample's timestamp, taking now when it was "*". */
    public long timestampOr(long now) {
        return serverTime ? now : timestamp;
    }
}
