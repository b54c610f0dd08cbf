package vts.query;

import vts.command.TsException;
import vts.series.Series;

/**
 * EMPTY reports a bucket for every bucketDuration between a series' samples, so a sparse
 * series with a small bucket could ask for billions of rows: hours of work on the main
 * thread and a reply the size of the machine's memory. Such queries are refused before
 * anything is replied. Without EMPTY the buckets never outnumber the samples.
 */
public final class BucketLimit {
    private BucketLimit() {}

    public static final long MAX_BUCKETS = 10_000_000L;

    /** Throws if the query could report more than MAX_BUCKETS buckets of series s. */
    public static void check(long s, RangeQuery q, boolean reverse) {
        Aggregation a = q.aggregation();
        if (a == null || !a.empty() || Series.totalSamples(s) == 0) return;
        // EMPTY fills towards the range's ends only when samples lie beyond them
        long lo = Math.max(q.from(), Series.firstTs(s));
        long hi = Math.min(q.to(), Series.lastTs(s));
        if (hi < lo) return;
        long buckets = Long.divideUnsigned(hi - lo, a.bucketDuration()) + 2;
        if (buckets < 0) buckets = Long.MAX_VALUE;
        if (!reverse && q.count() >= 0) buckets = Math.min(buckets, q.count());
        if (Long.compareUnsigned(buckets, MAX_BUCKETS) > 0) {
            throw TsException.tsdb("EMPTY would report more than " + MAX_BUCKETS
                    + " buckets; use a larger bucketDuration, a shorter range or COUNT");
        }
    }
}
