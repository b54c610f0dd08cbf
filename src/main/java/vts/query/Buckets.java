package vts.query;

/**
 * Bucket arithmetic, safe for every timestamp in [0, 2^63-1], every alignment in that
 * range and every duration in [1, 2^63-1]. A bucket is [start, last] with
 * {@code last = start + duration - 1} saturated at Long.MAX_VALUE; start may be negative
 * (the bucket holding the samples just above 0 when the alignment is not a multiple of the
 * duration), and is reported at 0 then, as the reference does.
 */
public final class Buckets {
    private Buckets() {}

    /** The start of the bucket holding ts: the largest align + k*duration &le; ts. */
    public static long start(long ts, long duration, long align) {
        // ts - align cannot overflow (both in [0, 2^63-1]); the result is > ts - duration >= -(2^63-1)
        return ts - Math.floorMod(ts - align, duration);
    }

    /** The last timestamp of the bucket starting at start (saturated at Long.MAX_VALUE). */
    public static long last(long start, long duration) {
        long d1 = duration - 1;
        return start > Long.MAX_VALUE - d1 ? Long.MAX_VALUE : start + d1;
    }

    /** start + n, saturated at Long.MAX_VALUE (n &ge; 0). */
    static long plus(long start, long n) {
        return start > Long.MAX_VALUE - n ? Long.MAX_VALUE : start + n;
    }

    /**
     * The timestamp reporting the bucket: its start (0 when it starts before 0), or that
     * plus the duration (END) or half of it (MID), as the reference computes them.
     */
    public static long report(long start, long duration, BucketTimestamp bt) {
        long s = Math.max(0, start);
        return switch (bt) {
            case START -> s;
            case END -> plus(s, duration);
            case MID -> plus(s, duration / 2);
        };
    }
}
