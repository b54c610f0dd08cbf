package vts.command;

import java.util.Arrays;

import vts.bridge.Api;
import vts.bridge.Bridge;
import vts.bridge.Keys;
import vts.bridge.NativeArgs;
import vts.bridge.Reply;
import vts.compaction.Compaction;
import vts.query.AggregationEngine;
import vts.query.BucketLimit;
import vts.query.RangeQuery;
import vts.query.ValueFilter;
import vts.series.SeriesCursor;

/**
 * TS.NRANGE / TS.NREVRANGE: each key queried as TS.RANGE / TS.REVRANGE queries it (its own
 * aggregators, through the same {@link AggregationEngine}), then outer-joined by
 * timestamp: one row {@code [ts, [v...]]} per timestamp any key reports, one value per key
 * (one per aggregator of the key with AGGREGATION), NaN where a key reports nothing at that
 * timestamp. COUNT limits the rows. Raw samples are merged straight from one cursor per
 * key; aggregated buckets are collected per key first (at most the buckets the reply holds).
 */
public final class NRangeCommand {
    private NRangeCommand() {}

    private static final AggregationEngine ENGINE = new AggregationEngine();

    static void register() {
        Bridge.register("TS.NRANGE", NRangeCommand::nrange);
        Bridge.register("TS.NREVRANGE", NRangeCommand::nrange);
    }

    static void nrange(long ctx, NativeArgs a) {
        NRangeRequest r = Parsers.nrange(a);
        int n = r.numKeys();
        long[] keys = new long[n];
        long[] views = new long[n];
        try {
            Column[] cols = new Column[n];
            for (int i = 0; i < n; i++) {
                keys[i] = Keys.open(ctx, a, 2 + i, Api.READ);
                long s = Keys.existing(keys[i]);
                RangeQuery q = r.queryOf(i);
                // LATEST on a compaction: a copy with the open bucket's sample, as TS.RANGE does
                views[i] = Compaction.latestView(ctx, s, q, a.address(2 + i), a.length(2 + i));
                if (views[i] != 0) s = views[i];
                if (q.aggregation() == null) {
                    cols[i] = new Raw(s, q, r.reverse());
                } else {
                    BucketLimit.check(s, q, r.reverse());
                    Buckets b = new Buckets(q.aggregation().aggregators().size());
                    ENGINE.run(s, q, r.reverse(), b);
                    cols[i] = b;
                }
            }
            reply(ctx, cols, r.reverse(), r.query().count(), Reply.resp3(ctx));
        } finally {
            for (int i = 0; i < n; i++) {
                Compaction.release(views[i]);
                if (keys[i] != 0) Api.closeKey(keys[i]);
            }
        }
    }

    /** The outer join of the columns, in reply order (ascending, or descending if reverse). */
    static void reply(long ctx, Column[] cols, boolean reverse, long count, boolean resp3) {
        int width = 0;
        for (Column c : cols) {
            c.advance();
            width += c.width();
        }
        long limit = count < 0 ? Long.MAX_VALUE : count;
        Reply.array(ctx, -1);
        long rows = 0;
        while (rows < limit) {
            boolean any = false;
            long ts = 0;
            for (Column c : cols) {
                if (!c.has()) continue;
                if (!any || (reverse ? c.ts() > ts : c.ts() < ts)) ts = c.ts();
                any = true;
            }
            if (!any) break;
            Reply.array(ctx, 2);
            Reply.integer(ctx, ts);
            Reply.array(ctx, width);
            for (Column c : cols) {
                boolean here = c.has() && c.ts() == ts;
                for (int j = 0; j < c.width(); j++) Reply.value(ctx, here ? c.value(j) : Double.NaN, resp3);
                if (here) c.advance();
            }
            rows++;
        }
        Reply.setArrayLength(ctx, rows);
    }

    /** One key's rows in reply order: after {@link #advance}, {@link #has} tells if there is a current row. */
    interface Column {
        int width();

        void advance();

        boolean has();

        long ts();

        double value(int j);
    }

    /** Raw samples under the range's filters, as TS.RANGE returns them. */
    static final class Raw implements Column {
        private final SeriesCursor cursor = new SeriesCursor();
        private final long[] byTs;
        private final ValueFilter byValue;
        private long left;
        private boolean has;

        Raw(long s, RangeQuery q, boolean reverse) {
            cursor.reset(s, q.from(), q.to(), reverse);
            byTs = q.filterByTs();
            byValue = q.filterByValue();
            left = q.count() < 0 ? Long.MAX_VALUE : q.count();
        }

        public int width() { return 1; }

        public void advance() {
            has = false;
            while (left > 0 && cursor.next()) {
                if (byTs != null && Arrays.binarySearch(byTs, cursor.ts) < 0) continue;
                if (byValue != null && !(cursor.value >= byValue.min() && cursor.value <= byValue.max())) continue;
                left--;
                has = true;
                return;
            }
        }

        public boolean has() { return has; }

        public long ts() { return cursor.ts; }

        public double value(int j) { return cursor.value; }
    }

    /** The buckets of one key's aggregation, collected from the engine. */
    static final class Buckets implements Column, vts.query.BucketSink {
        private final int width;
        private long[] ts = new long[16];
        private double[] vals;
        private int size;
        private int pos = -1;

        Buckets(int width) {
            this.width = width;
            vals = new double[16 * width];
        }

        @Override
        public boolean bucket(long t, double[] values) {
            if (size == ts.length) {
                ts = Arrays.copyOf(ts, size * 2);
                vals = Arrays.copyOf(vals, size * 2 * width);
            }
            ts[size] = t;
            System.arraycopy(values, 0, vals, size * width, width);
            size++;
            return true;
        }

        public int width() { return width; }

        public void advance() { pos++; }

        public boolean has() { return pos < size; }

        public long ts() { return ts[pos]; }

        public double value(int j) { return vals[pos * width + j]; }
    }
}
