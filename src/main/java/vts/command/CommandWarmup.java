package vts.command;

import java.util.ArrayList;
import java.util.List;

import vts.bridge.NativeArgs;
import vts.bridge.Reply;
import vts.index.Bitmap;
import vts.index.LabelIndex;
import vts.index.Results.Partial;
import vts.index.Results.Row;
import vts.query.AggregationEngine;
import vts.series.Layout;
import vts.series.Series;
import vts.series.SeriesCursor;

/**
 * The commands' own code run on private series, for the JIT warm-up at load
 * ({@link vts.bridge.Warmup}): each method is what the command does after it has its
 * key, with the key's series (or a private label index) passed in instead. Nothing here
 * opens a key, notifies, replicates or touches a database's index; replies go to the
 * context given, which the warm-up makes one whose replies the server drops.
 */
public final class CommandWarmup {
    private CommandWarmup() {}

    /** TS.ADD's parse, policy and append on s; replies the timestamp or the command's error. */
    public static void add(long ctx, NativeArgs a, long s) {
        AddRequest r = Parsers.add(a);
        long ts = r.timestamp();
        int policy = SeriesCommands.effectivePolicy(r.onDuplicate(), s);
        if (policy == Layout.DUP_LAST && Series.shouldIgnore(s, ts, r.value())) {
            Reply.integer(ctx, Series.lastTs(s));
            return;
        }
        // an existing series: no key is stored, no rule applies (s has none)
        SeriesCommands.addAndKeep(ctx, 0, r.key(), s, false, ts, r.value(), policy);
        Reply.integer(ctx, ts);
    }

    /** TS.GET's reply for s. */
    public static void get(long ctx, long s) {
        SeriesCommands.replyLast(ctx, s, Reply.resp3(ctx));
    }

    /** TS.RANGE / TS.REVRANGE of s (the key argument is only parsed). */
    public static void range(long ctx, NativeArgs a, long s) {
        RangeRequest r = Parsers.range(a);
        boolean resp3 = Reply.resp3(ctx);
        if (r.query().aggregation() == null) SeriesCommands.replySamples(ctx, s, r.query(), r.reverse(), resp3);
        else RangeCommand.replyBuckets(ctx, s, r.query(), r.reverse(), resp3);
    }

    /**
     * TS.MRANGE / TS.MREVRANGE over a private index whose id i stands for series[i % series.length]
     * (a zero there is skipped, as a key that is gone).
     */
    public static void mrange(long ctx, NativeArgs a, LabelIndex index, long[] series, AggregationEngine engine,
            SeriesCursor cursor) {
        MultiParsers.MRange parsed = MultiParsers.mrange(a);
        MRangeRequest r = parsed.request();
        LabelSelection ls = r.labels();
        boolean needLabels = r.groupBy() != null || ls.withLabels() || ls.selected() != null;
        Bitmap matched = r.filter() == null ? index.all() : index.query(r.filter());
        int[] ids = index.sortedByKey(matched);
        List<Row> rows = new ArrayList<>(ids.length);
        for (int id : ids) {
            long s = series[id % series.length];
            if (s != 0) MultiCommands.addRow(rows, ctx, s, index.key(id), r.query(), r.reverse(), needLabels, engine, cursor);
        }
        MultiCommands.writeMRange(ctx, parsed, List.of(Partial.ofRows(rows)));
    }
}
