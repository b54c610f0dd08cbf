package vts.compaction;

import java.util.Arrays;

import vts.query.Agg;

/**
 * One compaction rule as the source series holds it.
 *
 * @param dest           destination key name (raw bytes)
 * @param agg            the aggregator
 * @param bucketDuration bucket width in ms, &gt; 0
 * @param alignTimestamp bucket alignment: buckets start at alignTimestamp + k * bucketDuration
 * @param openBucket     start of the newest bucket a source write has touched since the rule
 *                       was created (that bucket is not yet in the destination), or
 *                       {@link RuleBlob#NO_BUCKET}
 */
public record Rule(byte[] dest, Agg agg, long bucketDuration, long alignTimestamp, long openBucket) {

    public Rule withOpenBucket(long b) {
        return new Rule(dest, agg, bucketDuration, alignTimestamp, b);
    }

    public Rule withDest(byte[] d) {
        return new Rule(d, agg, bucketDuration, alignTimestamp, openBucket);
    }

    /** The aggregator as TS.INFO and key names show it: upper case ("AVG", "STD.P", "P99"). */
    public String aggName() {
        return agg.name().toUpperCase(java.util.Locale.ROOT);
    }

    @Override public boolean equals(Object o) {
        return o instanceof Rule r && Arrays.equals(dest, r.dest) && agg.equals(r.agg)
                && bucketDuration == r.bucketDuration && alignTimestamp == r.alignTimestamp
                && openBucket == r.openBucket;
    }

    @Override public int hashCode() {
        return Arrays.hashCode(dest) * 31 + Long.hashCode(bucketDuration);
    }

    @Override public String toString() {
        return "Rule[" + new String(dest, java.nio.charset.StandardCharsets.UTF_8) + " " + agg.name() + " "
                + bucketDuration + " align " + alignTimestamp + " open " + openBucket + "]";
    }
}
