package vts.query;

import java.util.List;

/**
 * AGGREGATION aggregator[,aggregator...] bucketDuration [BUCKETTIMESTAMP bt] [EMPTY].
 *
 * @param aggregators     one or more (at most 16), in the order given: one reply column each
 * @param bucketDuration  bucket width in ms, &gt; 0
 * @param bucketTimestamp which timestamp reports a bucket
 * @param empty           report empty buckets too
 */
public record Aggregation(List<Agg> aggregators, long bucketDuration, BucketTimestamp bucketTimestamp, boolean empty) {}
