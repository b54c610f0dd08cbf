package vts.command;

import vts.bridge.Api;
import vts.bridge.Keys;
import vts.bridge.NativeArgs;
import vts.bridge.Reply;
import vts.query.AggregationEngine;
import vts.query.BucketSink;
import vts.query.RangeQuery;

/**
 * TS.RANGE / TS.REVRANGE: raw samples, or buckets of one or more aggregators
 * ({@code [ts, v1, v2, ...]} per bucket). Values are doubles in RESP3 and shortest
 * round-trip simple strings in RESP2, as the reference replies.
 */
public final class RangeCommand {
    private RangeCommand() {}

    private static final AggregationEngine ENGINE = new AggregationEngine();
    private static final ReplySink SINK = new ReplySink();

    static void range(long ctx, NativeArgs a) {
        RangeRequest r = Parsers.range(a);
        RangeQuery q = r.query();
        boolean resp3 = Reply.resp3(ctx);
        long key = Keys.open(ctx, a, 1, Api.READ);
        long view = 0;
        try {
            long s = Keys.existing(key);
            // rules: LATEST on a compaction queries a copy with the open bucket's sample appended
            view = vts.compaction.Compaction.latestView(ctx, s, q, a.address(1), a.length(1));
            if (view != 0) s = view;
            if (q.aggregation() == null) {
                SeriesCommands.replySamples(ctx, s, q, r.reverse(), resp3);
            } else {
                // LATEST only matters on a compaction (a series with a source rule): the
                // compaction code adds the open bucket through AggregationEngine.latest.
                replyBuckets(ctx, s, q, r.reverse(), resp3);
            }
        } finally {
            vts.compaction.Compaction.release(view);
            Api.closeKey(key);
        }
    }

    /** Replies the aggregated buckets of s for q, as an array of [ts, v1, ...]. */
    public static void replyBuckets(long ctx, long s, RangeQuery q, boolean reverse, boolean resp3) {
        vts.query.BucketLimit.check(s, q, reverse);
        ReplySink sink = SINK;
        sink.ctx = ctx;
        sink.resp3 = resp3;
        Reply.array(ctx, -1);
        long n = ENGINE.run(s, q, reverse, sink);
        Reply.setArrayLength(ctx, n);
    }

    private static final class ReplySink implements BucketSink {
        long ctx;
        boolean resp3;

        @Override
        public boolean bucket(long timestamp, double[] values) {
            long c = ctx;
            if (values.length == 1) {
                Reply.sample(c, timestamp, values[0], resp3);
                return true;
            }
            Reply.array(c, values.length + 1);
            Reply.integer(c, timestamp);
            for (double v : values) Reply.value(c, v, resp3);
            return true;
        }

        @Override
        public boolean writesText() {
            return !resp3;
        }
    }
}
