package vts.compaction;

import java.util.ArrayList;
import java.util.List;

import vts.bridge.Api;
import vts.bridge.Reply;
import vts.mem.Mem;
import vts.query.Agg;
import vts.query.Aggregation;
import vts.query.AggregationEngine;
import vts.query.Aggregator;
import vts.query.Align;
import vts.query.BucketTimestamp;
import vts.query.Buckets;
import vts.query.RangeQuery;
import vts.series.Layout;
import vts.series.Series;
import vts.series.SeriesCursor;

/**
 * Applies compaction rules: the hooks the write commands call after changing a source,
 * LATEST on a destination, and the rules/sourceKey part of TS.INFO.
 *
 * <p>The invariant kept for every rule: the destination holds, for each bucket that
 * starts before the rule's open bucket (and after the rule was created), the aggregate
 * of the source's samples in that bucket as {@code TS.RANGE src .. AGGREGATION agg dur
 * ALIGN align} computes it, at the bucket's start (0 if it starts before 0), and no
 * sample for a bucket that holds none. The open bucket (the newest one a write touched)
 * only moves forward; it is written when a later bucket opens. While the source's writes
 * come in time order, each rule keeps a running aggregate of its open bucket in its record
 * ({@link Running}: every aggregator but the quantiles, equal to the engine's value), so a
 * write costs a few operations per rule and a close reads no sample. Otherwise (an
 * out-of-order write or an update in the open bucket, TS.DEL reaching it, the first bucket
 * after TS.CREATERULE when the source already had samples in it, a quantile) the bucket is
 * computed again from the source's samples when it closes. A closed bucket is computed
 * again from the source whenever a write or a TS.DEL touches it (for twa also its
 * neighbours, whose edges interpolate with it).
 *
 * <p>All of it runs on the main thread; destination writes are deterministic side effects
 * of the (replicated) source command, so replicas and AOF replay compute the same.
 */
public final class Compaction {
    private Compaction() {}

    private static final AggregationEngine ENGINE = new AggregationEngine();
    private static final SeriesCursor CURSOR = new SeriesCursor();
    private static final long EV_ADD_DEST = Reply.cstring("ts.add:dest");
    private static final int RW = Api.READ | Api.WRITE;
    private static final long NO_BUCKET = RuleBlob.NO_BUCKET;

    /** The source whose rules are being applied (its blob must not be rewritten meanwhile). */
    private static long busy;
    /** Destinations whose rule the keyspace listener dropped while {@link #busy} was set. */
    private static final List<byte[]> DROPPED_WHILE_BUSY = new ArrayList<>();

    // ------------------------------------------------------------------ write hooks

    /** After a sample at ts was added to or updated in s (any write command). */
    public static void written(long ctx, long s, long ts) {
        if (Series.ruleCount(s) == 0) return;
        apply(ctx, s, ts, ts, false);
    }

    /** After TS.DEL removed samples of s in [from, to]. */
    /**
     * TS.DEL on a source with rules and a retention: refused, as the reference refuses it,
     * when from or the start of a rule's bucket holding from is older than the retention
     * window (the samples to recompute that bucket from may be gone).
     */
    public static void checkDelete(long s, long from) {
        long retention = Series.retention(s);
        if (Series.ruleCount(s) == 0 || retention <= 0) return;
        long last = Series.lastTs(s);
        if (last <= retention) return;
        long min = last - retention;
        boolean ok = from >= min;
        for (int i = 0; i < Series.ruleCount(s) && ok; i++) {
            long rec = RuleBlob.record(s, i);
            long start = Math.max(0, vts.query.Buckets.start(from, RuleBlob.duration(rec), RuleBlob.align(rec)));
            ok = start >= min;
        }
        if (!ok) throw vts.command.TsException.tsdb(DELETE_BEYOND_RETENTION);
    }

    static final String DELETE_BEYOND_RETENTION = "When a series has compactions, deleting samples or compaction "
            + "buckets beyond the series retention period is not possible";

    public static void deleted(long ctx, long s, long from, long to) {
        if (Series.ruleCount(s) == 0) return;
        apply(ctx, s, from, to, true);
    }

    private static void apply(long ctx, long s, long from, long to, boolean delete) {
        if (busy != 0) return; // cannot happen: destinations have no rules
        busy = s;
        List<byte[]> drop = null;
        try {
            for (int i = 0; i < Series.ruleCount(s); i++) {
                long rec = RuleBlob.record(s, i);
                boolean ok = delete ? ruleDeleted(ctx, s, rec, from, to) : ruleWritten(ctx, s, rec, from);
                if (!ok) {
                    if (drop == null) drop = new ArrayList<>();
                    drop.add(RuleBlob.dest(rec));
                }
            }
        } finally {
            busy = 0;
        }
        if (drop != null || !DROPPED_WHILE_BUSY.isEmpty()) {
            if (drop == null) drop = new ArrayList<>();
            drop.addAll(DROPPED_WHILE_BUSY);
            DROPPED_WHILE_BUSY.clear();
            dropRules(s, drop);
        }
    }

    /** One rule after a write at ts; false if its destination is gone (drop the rule). */
    private static boolean ruleWritten(long ctx, long s, long rec, long ts) {
        long dur = RuleBlob.duration(rec);
        long open = RuleBlob.openBucket(rec);
        long b = Buckets.start(ts, dur, RuleBlob.align(rec));
        Aggregator kind = Running.kind(rec);
        boolean twa = kind == Aggregator.TWA;
        long lastTs = Series.lastTs(s);
        double v = Series.lastValue(s);
        // an append: the newest sample, after every sample the source had (prevLast)
        long prevLast = RuleBlob.sourceLast(rec);
        boolean append = ts == lastTs && ts > prevLast;
        RuleBlob.setSourceLast(rec, lastTs);
        // twa bookkeeping: the written sample's timestamp if it is the newest and has a value
        long valued = ts == lastTs && !Double.isNaN(v) ? ts : RuleBlob.NO_VALUE;
        if (open == NO_BUCKET || b > open) {
            boolean closedHadValue = RuleBlob.openFirstValue(rec) != RuleBlob.NO_VALUE;
            RuleBlob.setOpenBucket(rec, b);
            RuleBlob.setOpenFirstValue(rec, valued);
            boolean ok = open == NO_BUCKET || close(ctx, s, rec, kind, open, append, ts, v);
            // the running state of the new bucket, if ts is its first sample
            if (append && prevLast < b) Running.begin(rec, kind, s, b, ts, v);
            else Running.invalidate(rec);
            if (open == NO_BUCKET) return true;
            // twa: a bucket before the closed one still waits for a non-NaN sample after it
            // if the closed bucket had none
            return ok && (!twa || closedHadValue || neighbours(ctx, s, rec, open, open));
        }
        if (b == open) {
            if (append && Running.valid(rec)) Running.add(rec, kind, s, b, ts, v);
            else Running.invalidate(rec);
        } else if (twa && Running.valid(rec) && Running.leftEdgeAffected(rec, ts)) {
            Running.invalidate(rec); // the open bucket's left neighbour may have changed
        }
        boolean ok = b == open || recompute(ctx, s, rec, b);
        if (b == open) {
            long first = RuleBlob.openFirstValue(rec);
            // twa: closed neighbours interpolate with the open bucket's first value; a write
            // after it (an in-order append) leaves them alone
            if (ok && twa && (ts < lastTs || ts <= first)) ok = neighbours(ctx, s, rec, b, b);
            if (ts <= first) RuleBlob.setOpenFirstValue(rec, ts == first || ts < lastTs ? RuleBlob.NO_VALUE : valued);
        } else if (ok && twa) {
            ok = neighbours(ctx, s, rec, b, b);
        }
        return ok;
    }

    /**
     * Writes the destination sample of the bucket at start, closed by the write at ts
     * (value v): from the running state when it is valid, else from the source.
     */
    private static boolean close(long ctx, long s, long rec, Aggregator kind, long start, boolean append, long ts, double v) {
        int st = append ? Running.value(rec, kind, s, start, RuleBlob.duration(rec), true, ts, v) : Running.UNKNOWN;
        if (st == Running.UNKNOWN) return recompute(ctx, s, rec, start);
        return store(ctx, rec, start, st == Running.PRESENT, Running.value);
    }

    /** One rule after TS.DEL [from, to]. */
    private static boolean ruleDeleted(long ctx, long s, long rec, long from, long to) {
        RuleBlob.setSourceLast(rec, Series.totalSamples(s) == 0 ? RuleBlob.SRC_EMPTY : Series.lastTs(s));
        long open = RuleBlob.openBucket(rec);
        if (open == NO_BUCKET) return true;
        long dur = RuleBlob.duration(rec);
        long align = RuleBlob.align(rec);
        long bFrom = Buckets.start(Math.max(0, from), dur, align);
        long bTo = Buckets.start(Math.max(0, to), dur, align);
        if (bTo >= open || isTwa(rec)) Running.invalidate(rec); // twa: its left neighbour may be gone
        if (bTo >= open) RuleBlob.setOpenFirstValue(rec, RuleBlob.NO_VALUE); // may have lost its values
        if (bFrom >= open) return !isTwa(rec) || neighbours(ctx, s, rec, open, open);
        if (!recompute(ctx, s, rec, bFrom)) return false;
        if (bTo > bFrom) {
            // every bucket strictly between the two edges lost all its samples
            long inner = bFrom + dur;
            long innerEnd = bTo >= open ? open - 1 : bTo - 1;
            if (innerEnd >= inner && !clear(ctx, rec, inner, innerEnd)) return false;
            if (bTo < open && !recompute(ctx, s, rec, bTo)) return false;
        }
        return !isTwa(rec) || neighbours(ctx, s, rec, bFrom, Math.min(bTo, open));
    }

    private static boolean isTwa(long rec) {
        int n = Mem.getShort(rec + RuleBlob.R_AGG_LEN) & 0xffff;
        return n == 3 && Mem.getByte(RuleBlob.destPtr(rec) + RuleBlob.destLen(rec)) == 't';
    }

    /**
     * twa interpolates a bucket's edges with the samples just outside it: after a change
     * in buckets [first, last], the closed non-empty buckets on either side change too.
     */
    private static boolean neighbours(long ctx, long s, long rec, long first, long last) {
        long dur = RuleBlob.duration(rec);
        long align = RuleBlob.align(rec);
        long open = RuleBlob.openBucket(rec);
        long lo = Math.max(0, first);
        if (lo > 0 && nextNonNaN(CURSOR.reset(s, 0, lo - 1, true))) {
            long pb = Buckets.start(CURSOR.ts, dur, align);
            if (pb < open && !recompute(ctx, s, rec, pb)) return false;
        }
        long end = Buckets.last(last, dur);
        if (end < Long.MAX_VALUE && nextNonNaN(CURSOR.reset(s, end + 1, Long.MAX_VALUE, false))) {
            long nb = Buckets.start(CURSOR.ts, dur, align);
            if (nb < open && !recompute(ctx, s, rec, nb)) return false;
        }
        return true;
    }

    /** Advances c to its next sample with a value (twa skips NaN, as the engine does). */
    private static boolean nextNonNaN(SeriesCursor c) {
        while (c.next()) {
            if (!Double.isNaN(c.value)) return true;
        }
        return false;
    }

    // one bucket through the engine, exactly as TS.RANGE ... AGGREGATION computes it
    private static boolean found;
    private static double foundValue;
    private static final vts.query.BucketSink ONE = (ts, vals) -> {
        found = true;
        foundValue = vals[0];
        return false;
    };

    /**
     * The bucket [start, last] of s for agg into foundValue; false if the bucket does not
     * exist for TS.RANGE (no sample the aggregator sees: NaN counts only for the counts).
     */
    private static boolean bucket(long s, long start, long dur, long align, Agg agg) {
        long from = Math.max(0, start);
        RangeQuery q = new RangeQuery(from, Buckets.last(start, dur), false, null, null, 1,
                new Aggregation(List.of(agg), dur, BucketTimestamp.START, false), new Align(Align.Kind.TIMESTAMP, align));
        found = false;
        ENGINE.run(s, q, false, ONE);
        return found;
    }

    /** Writes (or removes) the destination sample of the closed bucket starting at start. */
    private static boolean recompute(long ctx, long s, long rec, long start) {
        boolean has = bucket(s, start, RuleBlob.duration(rec), RuleBlob.align(rec), RuleBlob.agg(rec));
        return store(ctx, rec, start, has, foundValue);
    }

    /** Writes the destination sample (value v) of the bucket at start, or removes it (!has). */
    private static boolean store(long ctx, long rec, long start, boolean has, double v) {
        long from = Math.max(0, start);
        KeyRef d = new KeyRef().open(ctx, RuleBlob.destPtr(rec), RuleBlob.destLen(rec), RW);
        try {
            if (d.series == 0) return false;
            if (has) Series.add(d.series, from, v, Layout.DUP_LAST); // a destination retention may refuse it
            else Series.delete(d.series, from, from);
            Api.notifyKeyspace(ctx, Api.NOTIFY_MODULE, EV_ADD_DEST, d.str);
            if (has) vts.command.ReadCommand.signal(ctx, d.str); // a closed bucket is a sample for TS.READ
            return true;
        } finally {
            d.close();
        }
    }

    /** Removes the destination samples in [from, to] (buckets emptied by TS.DEL). */
    private static boolean clear(long ctx, long rec, long from, long to) {
        KeyRef d = new KeyRef().open(ctx, RuleBlob.destPtr(rec), RuleBlob.destLen(rec), RW);
        try {
            if (d.series == 0) return false;
            if (Series.delete(d.series, from, to) > 0) Api.notifyKeyspace(ctx, Api.NOTIFY_MODULE, EV_ADD_DEST, d.str);
            return true;
        } finally {
            d.close();
        }
    }

    /** Removes the rules of s whose destination is in dests (now, or after the current apply). */
    static void dropRules(long s, List<byte[]> dests) {
        if (s == busy) {
            DROPPED_WHILE_BUSY.addAll(dests);
            return;
        }
        List<Rule> rules = new ArrayList<>(readSafely(s));
        boolean changed = false;
        for (byte[] d : dests) {
            int i = RuleBlob.indexOf(rules, d);
            if (i >= 0) {
                rules.remove(i);
                changed = true;
            }
        }
        if (changed) RuleBlob.write(s, rules);
    }

    static List<Rule> readSafely(long s) {
        try {
            return RuleBlob.read(s);
        } catch (IllegalArgumentException e) {
            vts.bridge.Bridge.log("warning", "timeseries: unreadable compaction rules dropped: " + e.getMessage());
            Series.setRules(s, null, 0);
            return List.of();
        }
    }

    // ------------------------------------------------------------------ LATEST

    private static long latestTs;
    private static double latestValue;

    /**
     * The still-open bucket of the rule that writes dest (whose key name is the native
     * bytes keyPtr/keyLen), into latestTs/latestValue; false if dest is no compaction or
     * that bucket holds nothing.
     */
    private static boolean latest(long ctx, long dest, long keyPtr, int keyLen) {
        return latest(ctx, dest, keyPtr, keyLen, null);
    }

    /**
     * LATEST for the multi-series commands: the still-open bucket of the rule that writes
     * dest (whose key name is key), then in {@link #latestTs()} / {@link #latestValue()};
     * false if dest is no compaction or that bucket holds nothing.
     */
    public static boolean latest(long ctx, long dest, byte[] key) {
        return latest(ctx, dest, 0, 0, key);
    }

    /** The open bucket's timestamp found by the last successful {@link #latest(long, long, byte[])}. */
    public static long latestTs() { return latestTs; }

    /** The open bucket's value found by the last successful {@link #latest(long, long, byte[])}. */
    public static double latestValue() { return latestValue; }

    /** The key name is the native bytes (keyPtr, keyLen), or key if that is not null. */
    private static boolean latest(long ctx, long dest, long keyPtr, int keyLen, byte[] key) {
        long sp = Mem.getLong(dest + Layout.S_SRC_KEY);
        if (sp == 0) return false;
        KeyRef src = new KeyRef().open(ctx, sp, Mem.getInt(dest + Layout.S_SRC_KEY_LEN), Api.READ);
        try {
            long s = src.series;
            if (s == 0) return false;
            for (int i = 0; i < Series.ruleCount(s); i++) {
                long rec = RuleBlob.record(s, i);
                boolean same = key != null ? RuleBlob.nativeEquals(RuleBlob.destPtr(rec), RuleBlob.destLen(rec), key)
                        : RuleBlob.nativeEquals(RuleBlob.destPtr(rec), RuleBlob.destLen(rec), keyPtr, keyLen);
                if (!same) continue;
                long open = RuleBlob.openBucket(rec);
                if (open == NO_BUCKET) return false;
                int st = Running.value(rec, Running.kind(rec), s, open, RuleBlob.duration(rec), false, 0, 0);
                if (st != Running.UNKNOWN) {
                    if (st == Running.ABSENT) return false;
                    latestTs = Math.max(0, open);
                    latestValue = Running.value;
                    return true;
                }
                if (!bucket(s, open, RuleBlob.duration(rec), RuleBlob.align(rec), RuleBlob.agg(rec))) return false;
                latestTs = Math.max(0, open);
                latestValue = foundValue;
                return true;
            }
            return false;
        } finally {
            src.close();
        }
    }

    /** TS.GET key LATEST on a compaction: replies [ts, value] of the open bucket and returns true, else false. */
    public static boolean replyLatest(long ctx, long dest, long keyPtr, int keyLen, boolean resp3) {
        if (!latest(ctx, dest, keyPtr, keyLen)) return false;
        Reply.array(ctx, 2);
        Reply.integer(ctx, latestTs);
        Reply.value(ctx, latestValue, resp3);
        return true;
    }

    /**
     * TS.RANGE/REVRANGE ... LATEST on a compaction: a temporary series holding dest's
     * visible samples plus the open bucket's sample, to run the query on instead of dest
     * ({@link #release} it); 0 when q has no LATEST, dest is no compaction or the open
     * bucket is empty or outside [from, to]. It copies the destination's samples, which a
     * compaction keeps few of.
     */
    public static long latestView(long ctx, long dest, RangeQuery q, long keyPtr, int keyLen) {
        return latestView(ctx, dest, q, keyPtr, keyLen, null);
    }

    /** {@link #latestView(long, long, RangeQuery, long, int)} for a key name on the heap (TS.MRANGE). */
    public static long latestView(long ctx, long dest, RangeQuery q, byte[] key) {
        return latestView(ctx, dest, q, 0, 0, key);
    }

    private static long latestView(long ctx, long dest, RangeQuery q, long keyPtr, int keyLen, byte[] key) {
        if (!q.latest() || Mem.getLong(dest + Layout.S_SRC_KEY) == 0) return 0;
        if (!latest(ctx, dest, keyPtr, keyLen, key) || latestTs < q.from() || latestTs > q.to()) return 0;
        long v = Series.create(Series.encoding(dest), 0, Series.chunkSize(dest), Layout.DUP_LAST, false, 0, 0);
        try {
            SeriesCursor c = CURSOR.reset(dest, Series.minVisibleTs(dest), Long.MAX_VALUE, false);
            while (c.next()) Series.add(v, c.ts, c.value, Layout.DUP_LAST);
            Series.add(v, latestTs, latestValue, Layout.DUP_LAST);
            return v;
        } catch (RuntimeException | Error e) {
            Series.free(v);
            throw e;
        }
    }

    /** Frees a {@link #latestView} (0 is ignored). */
    public static void release(long view) {
        if (view != 0) Series.free(view);
    }

    // ------------------------------------------------------------------ TS.INFO

    /** The sourceKey and rules fields of TS.INFO (names and values), in the reference's shapes. */
    public static void replyInfo(long ctx, long s, boolean resp3) {
        Reply.simple(ctx, "sourceKey");
        byte[] src = Series.srcKey(s);
        if (src == null) Reply.nul(ctx);
        else Reply.bulk(ctx, src);
        Reply.simple(ctx, "rules");
        List<Rule> rules = readSafely(s);
        if (resp3) Reply.map(ctx, rules.size());
        else Reply.array(ctx, rules.size());
        for (Rule r : rules) {
            if (!resp3) Reply.array(ctx, 4);
            Reply.bulk(ctx, r.dest());
            if (resp3) Reply.array(ctx, 3);
            Reply.integer(ctx, r.bucketDuration());
            Reply.simple(ctx, r.aggName());
            Reply.integer(ctx, r.alignTimestamp());
        }
    }
}
