package vts.command;

import java.nio.charset.StandardCharsets;
import java.util.List;

import vts.bridge.Api;
import vts.bridge.ArgvBuilder;
import vts.bridge.Bridge;
import vts.bridge.Config;
import vts.bridge.Keys;
import vts.bridge.NativeArgs;
import vts.bridge.WriteKeys;
import vts.bridge.Reply;
import vts.mem.HeapGuard;
import vts.query.RangeQuery;
import vts.query.ValueFilter;
import vts.series.Layout;
import vts.series.Series;
import vts.series.SeriesCursor;

/**
 * The single-series commands. Each one parses and validates everything first, then
 * changes the series, then notifies, replicates and replies.
 */
public final class SeriesCommands {
    private SeriesCommands() {}

    private static final int RW = Api.READ | Api.WRITE;

    private static final long EV_CREATE = Reply.cstring("ts.create");
    private static final long EV_ALTER = Reply.cstring("ts.alter");
    private static final long EV_ADD = Reply.cstring("ts.add");
    private static final long EV_INCRBY = Reply.cstring("ts.incrby");
    private static final long EV_DECRBY = Reply.cstring("ts.decrby");
    private static final long EV_DEL = Reply.cstring("ts.del");
    private static final long CMD_ADD = Reply.cstring("TS.ADD");
    private static final long CMD_MADD = Reply.cstring("TS.MADD");
    private static final long CMD_INCRBY = Reply.cstring("TS.INCRBY");
    private static final long CMD_DECRBY = Reply.cstring("TS.DECRBY");

    static final String NOT_A_TSDB_KEY = "ERR TSDB: the key is not a TSDB key";
    static final String INCR_TOO_OLD = "TSDB: timestamp must be equal to or higher than the maximum existing timestamp";

    static void register() {
        Bridge.register("TS.CREATE", SeriesCommands::create);
        Bridge.register("TS.ALTER", SeriesCommands::alter);
        Bridge.register("TS.ADD", SeriesCommands::add);
        Bridge.register("TS.MADD", SeriesCommands::madd);
        Bridge.register("TS.INCRBY", SeriesCommands::incrBy);
        Bridge.register("TS.DECRBY", SeriesCommands::incrBy);
        Bridge.register("TS.DEL", SeriesCommands::del);
        Bridge.register("TS.GET", SeriesCommands::get);
        Bridge.register("TS.INFO", InfoCommand::info);
        Bridge.register("TS.RANGE", RangeCommand::range);
        Bridge.register("TS.REVRANGE", RangeCommand::range);
    }

    // ---------------------------------------------------------------- create / alter

    /** A new series from the given options, the module defaults filling the rest. */
    static long newSeries(SeriesOptions o) {
        String full = HeapGuard.refusal();
        if (full != null) throw new TsException(full);
        int encoding = o.encoding() == null ? Config.encoding()
                : (o.encoding() == Encoding.UNCOMPRESSED ? Layout.ENC_UNCOMPRESSED : Layout.ENC_COMPRESSED);
        long retention = o.hasRetention() ? o.retention() : Config.retention();
        int chunkSize = o.hasChunkSize() ? o.chunkSize() : Config.chunkSize();
        long ignoreTime = o.ignore() != null ? o.ignore().maxTimeDiff() : Config.ignoreMaxTimeDiff();
        double ignoreVal = o.ignore() != null ? o.ignore().maxValDiff() : Config.ignoreMaxValDiff();
        boolean ignoreSet = o.ignore() != null || ignoreTime != 0 || ignoreVal != 0;
        long s = Series.create(encoding, retention, chunkSize, o.duplicatePolicy().code(), ignoreSet, ignoreTime,
                ignoreVal);
        try {
            if (o.labels() != null && !o.labels().isEmpty()) Series.setLabels(s, labelBytes(o.labels()));
        } catch (RuntimeException | Error e) {
            Series.free(s);
            throw e;
        }
        return s;
    }

    static byte[][] labelBytes(List<Label> labels) {
        byte[][] b = new byte[labels.size() * 2][];
        for (int i = 0; i < labels.size(); i++) {
            b[2 * i] = labels.get(i).name().getBytes(StandardCharsets.UTF_8);
            b[2 * i + 1] = labels.get(i).value().getBytes(StandardCharsets.UTF_8);
        }
        return b;
    }

    static void create(long ctx, NativeArgs a) {
        CreateRequest r = Parsers.create(a);
        long key = Keys.open(ctx, a, 1, RW);
        try {
            if (Api.keyType(key) != Api.KEYTYPE_EMPTY) throw TsException.tsdb("key already exists");
            long s = newSeries(r.options());
            Keys.store(key, s);
            SeriesEvents.created(ctx, r.key(), s);
        } finally {
            Api.closeKey(key);
        }
        acknowledge(ctx, EV_CREATE, a);
    }

    static void alter(long ctx, NativeArgs a) {
        AlterRequest r = Parsers.alter(a);
        SeriesOptions o = r.options();
        long key = Keys.open(ctx, a, 1, RW);
        try {
            long s = Keys.existing(key);
            byte[][] labels = o.labels() != null ? labelBytes(o.labels()) : null;
            if (o.hasRetention()) Series.setRetention(s, o.retention());
            if (o.hasChunkSize()) Series.setChunkSize(s, o.chunkSize());
            if (o.duplicatePolicy() != DuplicatePolicy.NONE) Series.setDupPolicy(s, o.duplicatePolicy().code());
            if (o.ignore() != null) Series.setIgnore(s, true, o.ignore().maxTimeDiff(), o.ignore().maxValDiff());
            if (labels != null) {
                Series.setLabels(s, labels);
                SeriesEvents.relabeled(ctx, r.key(), s);
            }
        } finally {
            Api.closeKey(key);
        }
        acknowledge(ctx, EV_ALTER, a);
    }

    /** The end of a write that replies OK: notification, verbatim replication, the reply. */
    private static void acknowledge(long ctx, long event, NativeArgs a) {
        notify(ctx, event, a, 1);
        Api.replicateVerbatim(ctx);
        Reply.ok(ctx);
    }

    // ---------------------------------------------------------------- writes

    /** ON_DUPLICATE, else the series' policy, else the module default. */
    static int effectivePolicy(DuplicatePolicy override, long s) {
        if (override != DuplicatePolicy.NONE) return override.code();
        int p = Series.dupPolicy(s);
        return p != Layout.DUP_UNSET ? p : Config.duplicatePolicy();
    }

    static String addError(int rc) {
        return "ERR " + (rc == Series.ERR_TOO_OLD ? Series.MSG_TOO_OLD : Series.MSG_BLOCKED);
    }

    static void add(long ctx, NativeArgs a) {
        AddRequest r = Parsers.add(a);
        long ts = r.serverTime() ? Api.milliseconds() : r.timestamp();
        long replyTs;
        boolean changed = false;
        // the key opened, and closed with its event and TS.READ wake-up, in one trip into C each
        WriteKeys w = WriteKeys.acquire(1);
        try {
            w.key(0, 1);
            w.open(ctx, a);
            long s = w.seriesAt(0);
            if (s == WriteKeys.OTHER_TYPE) throw new TsException(Keys.WRONGTYPE);
            boolean created = s == 0;
            if (created) s = newSeries(r.create());
            int policy = effectivePolicy(r.onDuplicate(), s);
            if (!created && policy == Layout.DUP_LAST && Series.shouldIgnore(s, ts, r.value())) {
                replyTs = Series.lastTs(s);
            } else {
                addAndKeep(ctx, w.keyAt(0), r.key(), s, created, ts, r.value(), policy);
                replyTs = ts;
                changed = true;
                w.changed(0);
            }
        } finally {
            w.close(ctx, a, 0, 1, EV_ADD);
            w.release();
        }
        if (changed) {
            if (r.serverTime()) {
                ArgvBuilder b = ArgvBuilder.start(ctx).arg(a, 1).number(ts);
                for (int i = 3; i < a.count(); i++) b.arg(a, i);
                b.replicate(CMD_ADD);
            } else {
                Api.replicateVerbatim(ctx);
            }
        }
        Reply.integer(ctx, replyTs);
    }

    /**
     * Adds (ts, v) to s under policy. A series this command created is freed on error, and
     * otherwise stored under the open key and announced (index, ts-compaction-policy);
     * rule destinations follow the write.
     */
    static void addAndKeep(long ctx, long key, byte[] name, long s, boolean created, long ts, double v,
            int policy) {
        int rc = Series.add(s, ts, v, policy);
        if (rc < 0) {
            if (created) Series.free(s);
            throw new TsException(addError(rc));
        }
        if (created) {
            Keys.store(key, s);
            SeriesEvents.created(ctx, name, s);
            RuleCommands.seriesCreated(ctx, name, s);
        }
        vts.compaction.Compaction.written(ctx, s, ts);
    }

    /** TS.MADD's per-command arrays, kept between commands (main thread; a nested call gets its own). */
    private static final class MaddScratch {
        long[] results = new long[128];
        double[] values = new double[128];
        String[] errors = new String[128];
        boolean[] accepted = new boolean[128];
        boolean busy;

        MaddScratch ensure(int n) {
            if (results.length < n) {
                int len = Math.max(n, results.length * 2);
                results = new long[len];
                values = new double[len];
                errors = new String[len];
                accepted = new boolean[len];
            }
            java.util.Arrays.fill(errors, 0, n, null);
            java.util.Arrays.fill(accepted, 0, n, false);
            return this;
        }
    }

    private static final MaddScratch MADD = new MaddScratch();

    /**
     * Reads the triples in place and allocates nothing per command: parses every triple, opens
     * all their keys in one trip into C, appends, then closes the keys with their keyspace
     * events and TS.READ wake-ups in one more trip. A source of compaction rules has its own
     * and the earlier triples' keys closed around the rule update, so events keep their order.
     */
    static void madd(long ctx, NativeArgs a) {
        Parsers.maddArity(a);
        int n = (a.count() - 1) / 3;
        // a very large command gets arrays of its own rather than growing the kept ones
        MaddScratch m = MADD.busy || n > 4096 ? new MaddScratch() : MADD;
        m.ensure(n);
        m.busy = true;
        try {
            madd(ctx, a, n, m);
        } finally {
            m.busy = false;
        }
    }

    private static void madd(long ctx, NativeArgs a, int n, MaddScratch m) {
        long[] results = m.results;
        double[] values = m.values;
        String[] errors = m.errors;
        boolean[] accepted = m.accepted;
        long now = -1;
        boolean anyStar = false;
        int nAccepted = 0;
        WriteKeys w = WriteKeys.acquire(n);
        int closed = 0;
        try {
            for (int i = 0; i < n; i++) {
                int keyArg = 1 + 3 * i;
                long ts;
                try {
                    values[i] = Parsers.maddValue(a, keyArg);
                    ts = Parsers.maddTimestamp(a, keyArg);
                } catch (TsException e) {
                    errors[i] = e.getMessage();
                    continue;
                }
                if (ts < 0) {
                    if (now < 0) now = Api.milliseconds();
                    ts = now;
                    anyStar = true;
                }
                results[i] = ts;
                w.key(i, keyArg);
            }
            w.open(ctx, a);
            for (int i = 0; i < n; i++) {
                if (errors[i] != null) continue;
                long s = w.seriesAt(i);
                if (s == 0 || s == WriteKeys.OTHER_TYPE) {
                    errors[i] = s == 0 ? NOT_A_TSDB_KEY : Keys.WRONGTYPE;
                    continue;
                }
                long ts = results[i];
                double v = values[i];
                int policy = effectivePolicy(DuplicatePolicy.NONE, s);
                if (policy == Layout.DUP_LAST && Series.shouldIgnore(s, ts, v)) {
                    results[i] = Series.lastTs(s);
                    continue;
                }
                int rc = Series.add(s, ts, v, policy);
                if (rc < 0) {
                    errors[i] = addError(rc);
                    continue;
                }
                accepted[i] = true;
                nAccepted++;
                w.changed(i);
                if (Series.ruleCount(s) != 0) { // rules: update destinations, events in their old order
                    w.close(ctx, a, closed, i, EV_ADD);
                    vts.compaction.Compaction.written(ctx, s, ts);
                    w.close(ctx, a, i, i + 1, EV_ADD);
                    closed = i + 1;
                }
            }
        } finally {
            w.close(ctx, a, closed, n, EV_ADD);
            w.release();
        }
        Reply.array(ctx, n);
        for (int i = 0; i < n; i++) {
            if (errors[i] != null) Reply.error(ctx, errors[i]);
            else Reply.integer(ctx, results[i]);
        }
        if (nAccepted == n && !anyStar) {
            Api.replicateVerbatim(ctx);
            return;
        }
        if (nAccepted == 0) return;
        // replicas get only what was accepted, with concrete timestamps
        ArgvBuilder b = ArgvBuilder.start(ctx);
        for (int i = 0; i < n; i++) {
            if (!accepted[i]) continue;
            b.arg(a, 1 + 3 * i).number(results[i]).arg(a, 3 + 3 * i);
        }
        b.replicate(CMD_MADD);
    }

    static void incrBy(long ctx, NativeArgs a) {
        IncrByRequest r = Parsers.incrBy(a);
        long ts = r.serverTime() ? Api.milliseconds() : r.timestamp();
        long key = Keys.open(ctx, a, 1, RW);
        try {
            long s = Keys.series(key);
            boolean created = s == 0;
            if (created) s = newSeries(r.create());
            boolean empty = Series.totalSamples(s) == 0;
            if (!empty && ts < Series.lastTs(s)) {
                if (created) Series.free(s);
                throw new TsException(INCR_TOO_OLD);
            }
            if (!empty && Double.isNaN(Series.lastValue(s))) throw TsException.tsdb("cannot increment/decrement NaN value");
            double v = (empty ? 0 : Series.lastValue(s)) + r.signedDelta();
            // the in-place increment is an add under LAST, so IGNORE applies whatever the series' policy
            if (!empty && Series.shouldIgnore(s, ts, v)) {
                Reply.integer(ctx, Series.lastTs(s));
                return; // nothing changed: no event, nothing to replicate
            }
            addAndKeep(ctx, key, r.key(), s, created, ts, v, Layout.DUP_LAST);
        } finally {
            Api.closeKey(key);
        }
        notify(ctx, r.decrement() ? EV_DECRBY : EV_INCRBY, a, 1);
        ReadCommand.signal(ctx, a.vmString(1)); // TS.READ BLOCK
        if (r.serverTime()) {
            // replicas must not use their own clock: name the timestamp explicitly
            ArgvBuilder b = ArgvBuilder.start(ctx).arg(a, 1).arg(a, 2);
            b.text("TIMESTAMP".getBytes(StandardCharsets.US_ASCII)).number(ts);
            for (int i = 3; i < a.count(); i++) {
                if (a.is(i, "TIMESTAMP") && i + 1 < a.count()) {
                    i++; // drop "TIMESTAMP *"
                    continue;
                }
                b.arg(a, i);
            }
            b.replicate(r.decrement() ? CMD_DECRBY : CMD_INCRBY);
        } else {
            Api.replicateVerbatim(ctx);
        }
        Reply.integer(ctx, ts);
    }

    static void del(long ctx, NativeArgs a) {
        DelRequest r = Parsers.del(a);
        long deleted;
        long key = Keys.open(ctx, a, 1, RW);
        try {
            long s = Keys.existing(key);
            vts.compaction.Compaction.checkDelete(s, r.from()); // the reference's refusal, nothing changed
            deleted = Series.delete(s, r.from(), r.to());
            if (deleted > 0) vts.compaction.Compaction.deleted(ctx, s, r.from(), r.to()); // rules: recompute buckets
        } finally {
            Api.closeKey(key);
        }
        if (deleted > 0) {
            notify(ctx, EV_DEL, a, 1);
            Api.replicateVerbatim(ctx);
        }
        Reply.integer(ctx, deleted);
    }

    // ---------------------------------------------------------------- reads

    static void get(long ctx, NativeArgs a) {
        boolean latest = Parsers.getLatest(a);
        long s = vts.bridge.ReadKeys.existing(ctx, a, 1); // one trip into C; the key is closed again
        boolean resp3 = vts.bridge.ReadKeys.resp3();
        // rules: LATEST on a compaction reports the open bucket
        if (latest && vts.compaction.Compaction.replyLatest(ctx, s, a.address(1), a.length(1), resp3)) return;
        replyLast(ctx, s, resp3);
    }

    /** TS.GET's reply for s: [timestamp, value] of its last sample, or [] when empty. */
    static void replyLast(long ctx, long s, boolean resp3) {
        if (Series.totalSamples(s) == 0) {
            Reply.array(ctx, 0);
            return;
        }
        Reply.array(ctx, 2);
        Reply.integer(ctx, Series.lastTs(s));
        Reply.value(ctx, Series.lastValue(s), resp3);
    }

    private static final SeriesCursor CURSOR = new SeriesCursor();

    /** Replies the raw samples of s selected by q, as an array of [ts, value]. */
    static void replySamples(long ctx, long s, RangeQuery q, boolean reverse, boolean resp3) {
        long from = Math.max(q.from(), Series.minVisibleTs(s));
        long[] tsFilter = q.filterByTs();
        ValueFilter vf = q.filterByValue();
        long limit = q.count() < 0 ? Long.MAX_VALUE : q.count();
        if (from > q.to() || limit == 0 || (tsFilter != null && tsFilter.length == 0)) {
            Reply.array(ctx, 0);
            return;
        }
        SeriesCursor c = CURSOR;
        c.reset(s, from, q.to(), reverse);
        Reply.array(ctx, -1);
        long n = 0;
        while (n < limit && c.next()) {
            long t = c.ts;
            double v = c.value;
            if (tsFilter != null && java.util.Arrays.binarySearch(tsFilter, t) < 0) continue;
            if (vf != null && !(v >= vf.min() && v <= vf.max())) continue;
            Reply.sample(ctx, t, v, c.mantissa, c.decimals, resp3);
            n++;
        }
        Reply.setArrayLength(ctx, n);
    }

    static void notify(long ctx, long event, NativeArgs a, int keyArg) {
        Api.notifyKeyspace(ctx, Api.NOTIFY_MODULE, event, a.vmString(keyArg));
    }
}
