package vts.command;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import vts.bridge.Api;
import vts.bridge.ArgvBuilder;
import vts.bridge.Bridge;
import vts.bridge.Keys;
import vts.bridge.NativeArgs;
import vts.bridge.Reply;
import vts.cluster.Cluster;
import vts.index.Bitmap;
import vts.index.Indexes;
import vts.index.LabelIndex;
import vts.index.Results.Partial;
import vts.index.Results.Row;
import vts.index.Results;
import vts.mem.Mem;
import vts.query.Agg;
import vts.query.AggregationEngine;
import vts.query.RangeQuery;
import vts.query.ValueFilter;
import vts.series.Series;
import vts.series.SeriesCursor;

/**
 * The multi-series commands: TS.QUERYINDEX, TS.MGET, TS.MRANGE, TS.MREVRANGE,
 * TS.QUERYLABELS, and our TS.CARD and TS.MDEL. Each read is "evaluate on this node"
 * (index lookup, ACL check, open every matching key, copy out what the reply needs) and
 * then "merge the partial results" ({@link Results}) before the reply is written, so that
 * a cluster fan-out can feed the same merge with the partial results of every shard.
 */
public final class MultiCommands {
    private MultiCommands() {}

    static final String NOPERM_READ =
            "NOPERM TSDB: current user doesn't have read permission to one or more keys that match the specified filter";
    static final String NOPERM_WRITE =
            "NOPERM TSDB: current user doesn't have write permission to one or more keys that match the specified filter";

    /**
     * Whose query and which keys a node evaluates: user null means the calling client's user,
     * keep null every key (a single node); a cluster shard gets the coordinator's user name
     * and keeps only the keys of the slots it answers for.
     */
    public record Scope(byte[] user, java.util.function.Predicate<byte[]> keep) {
        public static final Scope LOCAL = new Scope(null, null);
    }

    private static final long EV_DEL = Reply.cstring("del");
    private static final long EV_TS_DEL = Reply.cstring("ts.del");
    private static final long CMD_DEL = Reply.cstring("DEL");
    private static final long CMD_TS_DEL = Reply.cstring("TS.DEL");

    static void register() {
        Indexes.install();
        Bridge.register("TS.QUERYINDEX", MultiCommands::queryIndex);
        Bridge.register("TS.MGET", MultiCommands::mget);
        Bridge.register("TS.MRANGE", MultiCommands::mrange);
        Bridge.register("TS.MREVRANGE", MultiCommands::mrange);
        Bridge.register("TS.QUERYLABELS", MultiCommands::queryLabels);
        Bridge.register("TS.CARD", MultiCommands::card);
        Bridge.register("TS.MDEL", MultiCommands::mdel);
    }

    // ================================================================ local evaluation

    /**
     * The keys of the current database that match a filter (null: every series), in key
     * order, each with a server string for ACL checks, opening, notifying. Close it.
     */
    static final class Selection implements AutoCloseable {
        final long ctx;
        final LabelIndex index;
        final byte[][] keys;
        final int[] ids;
        final long[] strings;
        private long user;
        private long openKey;

        Selection(long ctx, List<Matcher> filter, Scope scope) {
            this(ctx, filter, true, scope);
        }

        /** sorted false leaves the keys in id order (counts and label sets need no order). */
        Selection(long ctx, List<Matcher> filter, boolean sorted, Scope scope) {
            this.ctx = ctx;
            this.index = Indexes.of(Api.selectedDb(ctx));
            Bitmap matched = filter == null ? index.all() : index.query(filter);
            int[] found = sorted ? index.sortedByKey(matched) : matched.toArray();
            byte[][] names = new byte[found.length][];
            int kept = 0;
            for (int i = 0; i < found.length; i++) {
                byte[] k = index.key(found[i]);
                if (scope.keep() != null && !scope.keep().test(k)) continue;
                found[kept] = found[i];
                names[kept++] = k;
            }
            ids = kept == found.length ? found : java.util.Arrays.copyOf(found, kept);
            keys = kept == names.length ? names : java.util.Arrays.copyOf(names, kept);
            strings = new long[keys.length]; // made on first use
            // an empty user name: the coordinator's client had no user, so no ACL applies
            long name = scope.user() == null ? Api.currentUserName(ctx)
                    : scope.user().length > 0 ? serverString(ctx, scope.user()) : 0;
            if (name != 0) {
                try {
                    user = Api.moduleUserFromUserName(name);
                } finally {
                    Api.freeString(ctx, name);
                }
                if (user == 0 && scope.user() != null) {
                    throw new TsException("ERR TSDB: no ACL user '" + Err.oneLine(new String(scope.user(),
                            StandardCharsets.UTF_8)) + "' on this node (cluster users must exist on every node)");
                }
            }
            if (user != 0) {
                // a user whose rules grant every key needs no check per key (one check per series
                // costs ~0.3 s over a million series)
                String acl = " " + Api.userAcl(ctx, user) + " ";
                boolean all = acl.contains(" ~* ") || acl.contains(" allkeys ") || acl.contains(" %RW~* ");
                allRead = all || acl.contains(" %R~* ");
                allWrite = all || acl.contains(" %W~* ");
            }
        }

        private boolean allRead, allWrite;

        int size() { return keys.length; }

        /** The server string of key i (freed by close). */
        long string(int i) {
            if (strings[i] == 0) strings[i] = serverString(ctx, keys[i]);
            return strings[i];
        }

        /**
         * The series of key i for reading, or 0 if it is gone (expired as it was opened, or
         * replaced). A key without a time to live is read through the index's series pointer
         * (no key lookup: the index hears of every removal); one with a time to live is
         * opened, so that the server expires it if it is due. Call {@link #release} after use.
         */
        long series(int i) {
            long s = index.seriesWithoutTtl(ids[i], keys[i]);
            if (s != 0) return s;
            openKey = Api.openKey(ctx, string(i), Api.READ);
            return Keys.isSeries(openKey) ? Api.getValue(openKey) : 0;
        }

        /** Closes the key {@link #series} opened, if it opened one. */
        void release() {
            if (openKey != 0) Api.closeKey(openKey);
            openKey = 0;
        }

        /** True if the user (if any) may access key i with the Api.KEY_* flags. */
        boolean allowed(int i, int flags) {
            if (user == 0) return true;
            boolean write = (flags & ~Api.KEY_ACCESS) != 0;
            if (write ? allWrite && allRead : allRead) return true;
            return Api.aclCheckKeyPermissions(user, string(i), flags);
        }

        /** Throws error unless every key is allowed. */
        void requireAll(int flags, String error) {
            if (user == 0) return;
            for (int i = 0; i < keys.length; i++) {
                if (!allowed(i, flags)) throw new TsException(error);
            }
        }

        @Override public void close() {
            release();
            for (long s : strings) {
                if (s != 0) Api.freeString(ctx, s);
            }
            if (user != 0) Api.freeModuleUser(user);
            user = 0;
        }
    }

    private static long scratch;
    private static int scratchCap;

    /** A server string holding key (free it with Api.freeString). */
    static long serverString(long ctx, byte[] key) {
        if (key.length > scratchCap) {
            int cap = Math.max(256, Integer.highestOneBit(key.length) << 1);
            scratch = scratch == 0 ? Mem.alloc(cap) : Mem.realloc(scratch, cap);
            scratchCap = cap;
        }
        if (scratch == 0) {
            scratch = Mem.alloc(256);
            scratchCap = 256;
        }
        Mem.copyFromArray(key, 0, scratch, key.length);
        return Api.createString(ctx, scratch, key.length);
    }

    /** The labels of s as name0, value0, ... (exact bytes). */
    static byte[][] labelBytes(long s) {
        int n = Series.labelCount(s);
        byte[][] out = new byte[2 * n][];
        for (int i = 0; i < n; i++) {
            out[2 * i] = Series.labelName(s, i);
            out[2 * i + 1] = Series.labelValue(s, i);
        }
        return out;
    }

    /** TS.MGET on this node: the last sample of each readable matching series. */
    static List<Row> mgetLocal(Selection sel, boolean needLabels, boolean latest) {
        List<Row> rows = new ArrayList<>(sel.size());
        for (int i = 0; i < sel.size(); i++) {
            try {
                long s = sel.series(i);
                if (s == 0) continue;
                Row r = new Row(sel.keys[i], needLabels ? labelBytes(s) : null, 1);
                // LATEST on a compaction: its open bucket, as TS.GET LATEST
                if (latest && vts.compaction.Compaction.latest(sel.ctx, s, sel.keys[i])) {
                    r.add(vts.compaction.Compaction.latestTs(), vts.compaction.Compaction.latestValue());
                } else if (Series.totalSamples(s) > 0) {
                    r.add(Series.lastTs(s), Series.lastValue(s));
                }
                rows.add(r);
            } finally {
                sel.release();
            }
        }
        return rows;
    }

    private static final SeriesCursor CURSOR = new SeriesCursor();
    private static final AggregationEngine ENGINE = new AggregationEngine();

    /** TS.MRANGE on this node: the selected samples of each readable matching series. */
    static List<Row> mrangeLocal(Selection sel, RangeQuery q, boolean reverse, boolean needLabels) {
        List<Row> rows = new ArrayList<>(sel.size());
        for (int i = 0; i < sel.size(); i++) {
            try {
                long s = sel.series(i);
                if (s != 0) addRow(rows, sel.ctx, s, sel.keys[i], q, reverse, needLabels, ENGINE, CURSOR);
            } finally {
                sel.release();
            }
        }
        return rows;
    }

    /** Appends the row of series s (at key) for q: TS.MRANGE's work per series (and the JIT warm-up's). */
    static void addRow(List<Row> rows, long ctx, long s, byte[] key, RangeQuery q, boolean reverse, boolean needLabels,
            AggregationEngine engine, SeriesCursor cursor) {
        long view = 0;
        try {
            Row r = new Row(key, needLabels ? labelBytes(s) : null, 16);
            // LATEST on a compaction: query a copy with the open bucket's sample, as TS.RANGE
            view = vts.compaction.Compaction.latestView(ctx, s, q, key);
            if (view != 0) s = view;
            rows.add(r);
            if (q.aggregation() != null) {
                vts.query.BucketLimit.check(s, q, reverse);
                r.cols = q.aggregation().aggregators().size();
                engine.run(s, q, reverse, (t, vals) -> {
                    r.add(t, vals);
                    return true;
                });
                return;
            }
            long[] tsFilter = q.filterByTs();
            ValueFilter vf = q.filterByValue();
            long limit = q.count() < 0 ? Long.MAX_VALUE : q.count();
            long from = Math.max(q.from(), Series.minVisibleTs(s));
            if (from > q.to() || limit == 0 || (tsFilter != null && tsFilter.length == 0)) return;
            SeriesCursor c = cursor.reset(s, from, q.to(), reverse);
            while (r.n < limit && c.next()) {
                long t = c.ts;
                double v = c.value;
                if (tsFilter != null && java.util.Arrays.binarySearch(tsFilter, t) < 0) continue;
                if (vf != null && !(v >= vf.min() && v <= vf.max())) continue;
                r.add(t, v);
            }
        } finally {
            vts.compaction.Compaction.release(view);
        }
    }

    // ================================================================ commands

    /*
     * Each command is: parse (bad input fails here, before anything else), evaluate here
     * (xxxHere: one node's partial result, restricted by a Scope), write (merge the
     * partial results and reply). On a single node the write sees one partial; in a
     * cluster vts.cluster.Cluster fans the argv out and calls evaluate on every shard and
     * reply on the node that got the command.
     */

    /** True if the command (upper-case name) is one of these, which fan out in a cluster. */
    public static boolean fansOut(String name) {
        return switch (name) {
            case "TS.MGET", "TS.MRANGE", "TS.MREVRANGE", "TS.QUERYINDEX", "TS.QUERYLABELS", "TS.CARD", "TS.MDEL" -> true;
            default -> false;
        };
    }

    /** The shard side: evaluates the command in a on this node within scope. */
    public static Partial evaluate(long ctx, Args a, Scope scope) {
        return switch (a.string(0).toUpperCase(java.util.Locale.ROOT)) {
            case "TS.MGET" -> mgetHere(ctx, Parsers.mget(a), scope);
            case "TS.MRANGE", "TS.MREVRANGE" -> mrangeHere(ctx, MultiParsers.mrange(a), scope);
            case "TS.QUERYINDEX" -> queryIndexHere(ctx, Parsers.queryIndex(a), scope);
            case "TS.QUERYLABELS" -> queryLabelsHere(ctx, MultiParsers.queryLabels(a), scope);
            case "TS.CARD" -> cardHere(ctx, MultiParsers.card(a), scope);
            case "TS.MDEL" -> mdelHere(ctx, MultiParsers.mdel(a), scope);
            default -> throw new TsException("ERR TSDB: " + Err.oneLine(a.string(0)) + " is not a multi-series command");
        };
    }

    /** The coordinator side: replies to the command in a from every shard's partial result. */
    public static void reply(long ctx, Args a, List<Partial> parts) {
        switch (a.string(0).toUpperCase(java.util.Locale.ROOT)) {
            case "TS.MGET" -> writeMGet(ctx, Parsers.mget(a), parts);
            case "TS.MRANGE", "TS.MREVRANGE" -> writeMRange(ctx, MultiParsers.mrange(a), parts);
            case "TS.QUERYINDEX" -> writeKeys(ctx, parts);
            case "TS.QUERYLABELS" -> writeStrings(ctx, parts);
            case "TS.CARD", "TS.MDEL" -> writeCount(ctx, parts);
            default -> throw new TsException("ERR TSDB: " + Err.oneLine(a.string(0)) + " is not a multi-series command");
        }
    }

    static void queryIndex(long ctx, NativeArgs a) {
        QueryIndexRequest r = Parsers.queryIndex(a);
        if (!Cluster.fanOut(ctx, a)) writeKeys(ctx, List.of(queryIndexHere(ctx, r, Scope.LOCAL)));
    }

    static Partial queryIndexHere(long ctx, QueryIndexRequest r, Scope scope) {
        try (Selection sel = new Selection(ctx, r.filter(), scope)) {
            sel.requireAll(Api.KEY_ACCESS, NOPERM_READ);
            return Partial.ofKeys(List.of(sel.keys));
        }
    }

    static void writeKeys(long ctx, List<Partial> parts) {
        List<byte[]> keys = Results.mergeKeys(parts.stream().map(Partial::keys).toList());
        if (Reply.resp3(ctx)) Reply.set(ctx, keys.size());
        else Reply.array(ctx, keys.size());
        for (byte[] k : keys) Reply.bulk(ctx, k);
    }

    static void card(long ctx, NativeArgs a) {
        MultiParsers.CardRequest r = MultiParsers.card(a);
        if (!Cluster.fanOut(ctx, a)) writeCount(ctx, List.of(cardHere(ctx, r, Scope.LOCAL)));
    }

    static Partial cardHere(long ctx, MultiParsers.CardRequest r, Scope scope) {
        try (Selection sel = new Selection(ctx, r.filter(), false, scope)) {
            sel.requireAll(Api.KEY_ACCESS, NOPERM_READ);
            return Partial.ofCount(sel.size());
        }
    }

    static void writeCount(long ctx, List<Partial> parts) {
        long[] counts = new long[parts.size()];
        for (int i = 0; i < counts.length; i++) counts[i] = parts.get(i).count();
        Reply.integer(ctx, Results.mergeCounts(counts));
    }

    static void queryLabels(long ctx, NativeArgs a) {
        MultiParsers.QueryLabelsRequest r = MultiParsers.queryLabels(a);
        if (!Cluster.fanOut(ctx, a)) writeStrings(ctx, List.of(queryLabelsHere(ctx, r, Scope.LOCAL)));
    }

    static Partial queryLabelsHere(long ctx, MultiParsers.QueryLabelsRequest r, Scope scope) {
        try (Selection sel = new Selection(ctx, r.filter(), false, scope)) {
            // unlike the other reads, series the user may not read are left out silently (as the reference does)
            Bitmap ids = new Bitmap();
            for (int i = 0; i < sel.size(); i++) {
                if (sel.allowed(i, Api.KEY_ACCESS)) ids.add(sel.ids[i]);
            }
            return Partial.ofStrings(r.names() ? sel.index.labelNames(ids) : sel.index.labelValues(r.valuesOf(), ids));
        }
    }

    static void writeStrings(long ctx, List<Partial> parts) {
        List<String> out = Results.mergeStrings(parts.stream().map(Partial::strings).toList());
        if (Reply.resp3(ctx)) Reply.set(ctx, out.size());
        else Reply.array(ctx, out.size());
        for (String s : out) Reply.bulk(ctx, s);
    }

    static void mget(long ctx, NativeArgs a) {
        MGetRequest r = Parsers.mget(a);
        if (!Cluster.fanOut(ctx, a)) writeMGet(ctx, r, List.of(mgetHere(ctx, r, Scope.LOCAL)));
    }

    static Partial mgetHere(long ctx, MGetRequest r, Scope scope) {
        LabelSelection ls = r.labels();
        boolean needLabels = ls.withLabels() || ls.selected() != null;
        try (Selection sel = new Selection(ctx, r.filter(), scope)) {
            sel.requireAll(Api.KEY_ACCESS, NOPERM_READ);
            return Partial.ofRows(mgetLocal(sel, needLabels, r.latest()));
        }
    }

    static void writeMGet(long ctx, MGetRequest r, List<Partial> parts) {
        LabelSelection ls = r.labels();
        List<Row> rows = Results.mergeRows(parts.stream().map(Partial::rows).toList());
        boolean resp3 = Reply.resp3(ctx);
        if (resp3) Reply.map(ctx, rows.size());
        else Reply.array(ctx, rows.size());
        for (Row row : rows) {
            if (!resp3) Reply.array(ctx, 3);
            Reply.bulk(ctx, row.key);
            if (resp3) Reply.array(ctx, 2);
            replyLabels(ctx, row.labels, ls, resp3);
            if (row.n == 0) {
                Reply.array(ctx, 0);
            } else {
                Reply.array(ctx, 2);
                Reply.integer(ctx, row.ts[0]);
                Reply.value(ctx, row.values[0], resp3);
            }
        }
    }

    static void mrange(long ctx, NativeArgs a) {
        MultiParsers.MRange parsed = MultiParsers.mrange(a);
        if (!Cluster.fanOut(ctx, a)) writeMRange(ctx, parsed, List.of(mrangeHere(ctx, parsed, Scope.LOCAL)));
    }

    static Partial mrangeHere(long ctx, MultiParsers.MRange parsed, Scope scope) {
        MRangeRequest r = parsed.request();
        LabelSelection ls = r.labels();
        boolean needLabels = r.groupBy() != null || ls.withLabels() || ls.selected() != null;
        try (Selection sel = new Selection(ctx, r.filter(), scope)) {
            sel.requireAll(Api.KEY_ACCESS, NOPERM_READ);
            return Partial.ofRows(mrangeLocal(sel, r.query(), r.reverse(), needLabels));
        }
    }

    /** Merges the shards' series rows, then groups and reduces them (GROUPBY runs after the merge, on every source row). */
    static void writeMRange(long ctx, MultiParsers.MRange parsed, List<Partial> parts) {
        MRangeRequest r = parsed.request();
        RangeQuery q = r.query();
        LabelSelection ls = r.labels();
        boolean grouped = r.groupBy() != null;
        List<Row> rows = Results.mergeRows(parts.stream().map(Partial::rows).toList());
        if (parsed.excludeEmpty()) rows = rows.stream().filter(row -> row.n > 0).toList(); // EXCLUDEEMPTY
        if (grouped) rows = Results.groupBy(rows, parsed.groupLabels(), r.groupBy().reducer(), r.reverse(), q.count());
        boolean resp3 = Reply.resp3(ctx);
        if (resp3) Reply.map(ctx, rows.size());
        else Reply.array(ctx, rows.size());
        for (Row row : rows) {
            if (!resp3) Reply.array(ctx, 3);
            Reply.bulk(ctx, row.key);
            if (grouped) {
                if (resp3) {
                    Reply.array(ctx, 4);
                    replyGroupLabels(ctx, row, ls, true);
                    Reply.map(ctx, 1);
                    Reply.bulk(ctx, "reducers");
                    Reply.array(ctx, 1);
                    Reply.bulk(ctx, row.reducer);
                    Reply.map(ctx, 1);
                    Reply.bulk(ctx, "sources");
                    Reply.array(ctx, row.sources.size());
                    for (byte[] k : row.sources) Reply.bulk(ctx, k);
                } else {
                    replyGroupLabels(ctx, row, ls, false);
                }
            } else {
                if (resp3) Reply.array(ctx, 3);
                replyLabels(ctx, row.labels, ls, resp3);
                if (resp3) {
                    Reply.map(ctx, 1);
                    Reply.bulk(ctx, "aggregators");
                    List<Agg> aggs = q.aggregation() == null ? List.of() : q.aggregation().aggregators();
                    Reply.array(ctx, aggs.size());
                    for (Agg g : aggs) Reply.bulk(ctx, g.name());
                }
            }
            replySamples(ctx, row, resp3);
        }
    }

    static void mdel(long ctx, NativeArgs a) {
        MultiParsers.MDelRequest r = MultiParsers.mdel(a);
        if (!Cluster.fanOut(ctx, a)) writeCount(ctx, List.of(mdelHere(ctx, r, Scope.LOCAL)));
    }

    static Partial mdelHere(long ctx, MultiParsers.MDelRequest r, Scope scope) {
        long total = 0;
        try (Selection sel = new Selection(ctx, r.filter(), scope)) {
            sel.requireAll(r.ranged() ? Api.KEY_UPDATE : Api.KEY_DELETE, NOPERM_WRITE);
            for (int i = 0; i < sel.size(); i++) {
                long key = Api.openKey(ctx, sel.string(i), Api.READ | Api.WRITE);
                long deleted;
                try {
                    if (!Keys.isSeries(key)) continue;
                    if (r.ranged()) {
                        long s = Api.getValue(key);
                        deleted = Series.delete(s, r.from(), r.to());
                        if (deleted > 0) vts.compaction.Compaction.deleted(ctx, s, r.from(), r.to()); // as TS.DEL
                    } else {
                        Api.deleteKey(key); // the index hears of it through the keyspace event
                        deleted = 1;
                    }
                } finally {
                    Api.closeKey(key);
                }
                if (deleted == 0) continue;
                total += deleted;
                if (r.ranged()) {
                    Api.notifyKeyspace(ctx, Api.NOTIFY_MODULE, EV_TS_DEL, sel.string(i));
                    ArgvBuilder.start(ctx).text(sel.keys[i]).number(r.from()).number(r.to()).replicate(CMD_TS_DEL);
                } else {
                    Api.notifyKeyspace(ctx, Api.NOTIFY_GENERIC, EV_DEL, sel.string(i));
                    ArgvBuilder.start(ctx).text(sel.keys[i]).replicate(CMD_DEL);
                }
            }
        }
        return Partial.ofCount(total);
    }

    // ================================================================ reply pieces

    private static void replySamples(long ctx, Row row, boolean resp3) {
        Reply.array(ctx, row.n);
        int cols = row.cols;
        if (cols == 1) { // [ts, value] rows: Reply.sample sends RESP2 rows as protocol runs
            for (int i = 0; i < row.n; i++) Reply.sample(ctx, row.ts[i], row.values[i], resp3);
            return;
        }
        for (int i = 0; i < row.n; i++) {
            Reply.array(ctx, 1 + cols);
            Reply.integer(ctx, row.ts[i]);
            for (int c = 0; c < cols; c++) Reply.value(ctx, row.values[i * cols + c], resp3);
        }
    }

    private static void pairStart(long ctx, boolean resp3) {
        if (!resp3) Reply.array(ctx, 2);
    }

    /** The labels element: none (empty), all (WITHLABELS) or SELECTED_LABELS (null where missing). */
    static void replyLabels(long ctx, byte[][] labels, LabelSelection ls, boolean resp3) {
        if (ls.selected() != null) {
            List<String> names = ls.selected();
            if (resp3) Reply.map(ctx, names.size());
            else Reply.array(ctx, names.size());
            for (String name : names) {
                byte[] want = name.getBytes(StandardCharsets.UTF_8);
                int at = findLabel(labels, want);
                pairStart(ctx, resp3);
                if (at >= 0) {
                    Reply.bulk(ctx, labels[at]);
                    Reply.bulk(ctx, labels[at + 1]);
                } else {
                    Reply.bulk(ctx, want);
                    Reply.nul(ctx);
                }
            }
            return;
        }
        int n = ls.withLabels() && labels != null ? labels.length / 2 : 0;
        if (resp3) Reply.map(ctx, n);
        else Reply.array(ctx, n);
        for (int i = 0; i < n; i++) {
            pairStart(ctx, resp3);
            Reply.bulk(ctx, labels[2 * i]);
            Reply.bulk(ctx, labels[2 * i + 1]);
        }
    }

    /** Index of the name of label want (exact match first, then ignoring ASCII case, as the reference), or -1. */
    private static int findLabel(byte[][] labels, byte[] want) {
        if (labels == null) return -1;
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (java.util.Arrays.equals(labels[i], want)) return i;
        }
        String w = new String(want, StandardCharsets.UTF_8);
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (new String(labels[i], StandardCharsets.UTF_8).equalsIgnoreCase(w)) return i;
        }
        return -1;
    }

    private static final byte[] REDUCER = "__reducer__".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SOURCE = "__source__".getBytes(StandardCharsets.UTF_8);

    /**
     * The labels of a group: WITHLABELS gives the group labels (plus __reducer__ and
     * __source__ in RESP2); SELECTED_LABELS gives, per name, the value every source shares
     * (null when they differ or lack it).
     */
    private static void replyGroupLabels(long ctx, Row g, LabelSelection ls, boolean resp3) {
        byte[] sources = String.join(",", g.sources.stream().map(k -> new String(k, StandardCharsets.UTF_8)).toList())
                .getBytes(StandardCharsets.UTF_8);
        byte[] reducer = g.reducer.getBytes(StandardCharsets.UTF_8);
        if (ls.selected() != null) {
            List<String> names = ls.selected();
            if (resp3) Reply.map(ctx, names.size());
            else Reply.array(ctx, names.size());
            for (String name : names) {
                byte[] want = name.getBytes(StandardCharsets.UTF_8);
                pairStart(ctx, resp3);
                int at = findLabel(g.labels, want);
                int shared = findLabel(g.groupLabels, want);
                if (at >= 0) {
                    Reply.bulk(ctx, g.labels[at]);
                    Reply.bulk(ctx, g.labels[at + 1]);
                } else if (shared >= 0) {
                    Reply.bulk(ctx, g.groupLabels[shared]);
                    Reply.bulk(ctx, g.groupLabels[shared + 1]);
                } else if (!resp3 && java.util.Arrays.equals(want, REDUCER)) {
                    Reply.bulk(ctx, REDUCER);
                    Reply.bulk(ctx, reducer);
                } else if (!resp3 && java.util.Arrays.equals(want, SOURCE)) {
                    Reply.bulk(ctx, SOURCE);
                    Reply.bulk(ctx, sources);
                } else {
                    Reply.bulk(ctx, want);
                    Reply.nul(ctx);
                }
            }
            return;
        }
        if (!ls.withLabels()) {
            if (resp3) Reply.map(ctx, 0);
            else Reply.array(ctx, 0);
            return;
        }
        int n = g.labels.length / 2;
        if (resp3) {
            Reply.map(ctx, n);
        } else {
            Reply.array(ctx, n + 2);
        }
        for (int i = 0; i < n; i++) {
            pairStart(ctx, resp3);
            Reply.bulk(ctx, g.labels[2 * i]);
            Reply.bulk(ctx, g.labels[2 * i + 1]);
        }
        if (!resp3) {
            Reply.array(ctx, 2);
            Reply.bulk(ctx, REDUCER);
            Reply.bulk(ctx, reducer);
            Reply.array(ctx, 2);
            Reply.bulk(ctx, SOURCE);
            Reply.bulk(ctx, sources);
        }
    }
}
