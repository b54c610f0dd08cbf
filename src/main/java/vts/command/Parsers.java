package vts.command;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import vts.query.Agg;
import vts.query.Aggregation;
import vts.query.Align;
import vts.query.BucketTimestamp;
import vts.query.RangeQuery;
import vts.query.ValueFilter;

/**
 * One parser per TS.* command: argv in, an immutable request out, or a
 * {@link TsException} carrying the reference's exact reply text. Nothing else
 * is ever thrown, whatever the input.
 *
 * <p>Options are read left to right and may come in any order; a repeated
 * option overrides the earlier one; LABELS takes the rest of the arguments and
 * FILTER takes the arguments up to GROUPBY (or the end), as in the reference.
 * Unlike the reference, an argument the command does not know is refused
 * instead of silently ignored.
 */
public final class Parsers {
    private Parsers() {}

    /** The most aggregators one AGGREGATION list may name (one per reference aggregation type). */
    static final int MAX_AGGREGATORS = 16;

    private static final String[] SELECTED_LABELS_STOP = {
        "WITHLABELS", "SELECTED_LABELS", "AGGREGATION", "LIMIT", "GROUPBY", "REDUCE", "FILTER",
        "FILTER_BY_VALUE", "FILTER_BY_TS", "COUNT", "LATEST", "ALIGN", "EMPTY", "BUCKETTIMESTAMP"};

    // ------------------------------------------------------------------ writes

    /** TS.CREATE key [RETENTION ms] [ENCODING enc] [CHUNK_SIZE n] [DUPLICATE_POLICY p] [IGNORE t v] [LABELS l v ...] */
    public static CreateRequest create(Args a) {
        if (a.count() < 2) throw Err.arity(a);
        return new CreateRequest(a.bytes(1), new SeriesOpts(a, false, false).parseFrom(2).build());
    }

    /** TS.ALTER key [the options of TS.CREATE]. */
    public static AlterRequest alter(Args a) {
        if (a.count() < 2) throw Err.arity(a);
        return new AlterRequest(a.bytes(1), new SeriesOpts(a, false, false).parseFrom(2).build());
    }

    /** TS.ADD key timestamp|* value [the options of TS.CREATE] [ON_DUPLICATE p]. The hot path. */
    public static AddRequest add(Args a) {
        int n = a.count();
        if (n < 4) throw Err.arity(a);
        double value = maddValue(a, 1); // the reference reads the value first
        long t = maddTimestamp(a, 1);
        boolean now = t < 0;
        long ts = now ? 0 : t;
        if (n == 4) return new AddRequest(a.bytes(1), ts, now, value, DuplicatePolicy.NONE, SeriesOptions.NONE);
        SeriesOpts o = new SeriesOpts(a, true, false).parseFrom(4);
        return new AddRequest(a.bytes(1), ts, now, value, o.onDuplicate, o.build());
    }

    /** TS.MADD key timestamp|* value [key timestamp|* value ...]; a bad triple errs alone. */
    public static MAddRequest madd(Args a) {
        int n = a.count();
        if (n < 4 || (n - 1) % 3 != 0) throw Err.arity(a);
        List<MAddRequest.Entry> entries = new ArrayList<>((n - 1) / 3);
        for (int i = 1; i < n; i += 3) entries.add(maddEntry(a, i));
        return new MAddRequest(List.copyOf(entries));
    }

    /** TS.MADD argv shape check, for callers that read the triples in place. */
    public static void maddArity(Args a) {
        int n = a.count();
        if (n < 4 || (n - 1) % 3 != 0) throw Err.arity(a);
    }

    /** The value of the TS.MADD triple whose key is argument i (checked first, as the reference does). */
    public static double maddValue(Args a, int i) {
        if (a instanceof vts.bridge.NativeArgs na) { // the common shape, read in place
            long bits = Num.plainValue(na.address(i + 2), na.length(i + 2));
            if (bits != Num.NOT_PLAIN) return Double.longBitsToDouble(bits);
        }
        return Num.sampleValue(a, i + 2, Err.INVALID_VALUE);
    }

    /** The timestamp of the TS.MADD triple whose key is argument i, or -1 for "*". */
    public static long maddTimestamp(Args a, int i) {
        if (a instanceof vts.bridge.NativeArgs na) { // the common shape, read in place
            long t = Num.plainTimestamp(na.address(i + 1), na.length(i + 1));
            if (t != Num.NOT_PLAIN) return t;
        }
        return Num.isChar(a, i + 1, '*') ? -1 : timestamp(a, i + 1);
    }

    private static MAddRequest.Entry maddEntry(Args a, int i) {
        byte[] key = a.bytes(i);
        try {
            double value = Num.sampleValue(a, i + 2, Err.INVALID_VALUE);
            boolean now = Num.isChar(a, i + 1, '*');
            return new MAddRequest.Entry(key, now ? 0 : timestamp(a, i + 1), now, value, null);
        } catch (TsException e) {
            return new MAddRequest.Entry(key, 0, false, 0, e.getMessage());
        }
    }

    /**
     * TS.INCRBY / TS.DECRBY key delta [TIMESTAMP ts|*] [the options of TS.CREATE];
     * which one is read from argument 0.
     */
    public static IncrByRequest incrBy(Args a) {
        if (a.count() < 3) throw Err.arity(a);
        double delta = Num.strtod(a, 2, Err.INVALID_DELTA);
        SeriesOpts o = new SeriesOpts(a, false, true).parseFrom(3);
        boolean now = o.timestamp < 0;
        return new IncrByRequest(a.bytes(1), a.is(0, "TS.DECRBY"), delta, now ? 0 : o.timestamp, now, o.build());
    }

    /** TS.DEL key from|- to|+ */
    public static DelRequest del(Args a) {
        if (a.count() != 4) throw Err.arity(a);
        return new DelRequest(a.bytes(1), from(a, 2), to(a, 3));
    }

    /** TS.CREATERULE source dest AGGREGATION aggregator bucketDuration [alignTimestamp] */
    public static CreateRuleRequest createRule(Args a) {
        int n = a.count();
        if ((n != 6 && n != 7) || !a.is(3, "AGGREGATION")) throw Err.arity(a);
        Aggregation head = aggregationHead(a, 3);
        if (head.aggregators().size() != 1) throw Err.tsdb(Err.RULE_ONE_AGG);
        long align = 0;
        if (n == 7) {
            align = Num.parseLong(a, 6);
            if (align < 0) throw Err.tsdb(Err.ALIGN_TS);
        }
        byte[] source = a.bytes(1);
        byte[] dest = a.bytes(2);
        if (Arrays.equals(source, dest)) throw Err.tsdb(Err.RULE_SAME_KEY);
        return new CreateRuleRequest(source, dest, head.aggregators().get(0), head.bucketDuration(), align);
    }

    /** TS.DELETERULE source dest */
    public static DeleteRuleRequest deleteRule(Args a) {
        if (a.count() != 3) throw Err.arity(a);
        return new DeleteRuleRequest(a.bytes(1), a.bytes(2));
    }

    // ------------------------------------------------------------------- reads

    /** TS.GET key [LATEST] */
    public static GetRequest get(Args a) {
        boolean latest = getLatest(a);
        return new GetRequest(a.bytes(1), latest);
    }

    /** TS.GET key [LATEST]: checks a, returns whether LATEST is given (the handler allocates nothing). */
    public static boolean getLatest(Args a) {
        int n = a.count();
        if (n < 2 || n > 3) throw Err.arity(a);
        if (n == 3 && !a.is(2, "LATEST")) throw Err.tsdb(Err.GET_3RD);
        return n == 3;
    }

    /** TS.INFO key [DEBUG] */
    public static InfoRequest info(Args a) {
        int n = a.count();
        if (n < 2 || n > 3) throw Err.arity(a);
        if (n == 3 && !a.is(2, "DEBUG")) throw Err.unknownArgument(a, 2);
        return new InfoRequest(a.bytes(1), n == 3);
    }

    /**
     * TS.RANGE / TS.REVRANGE key from|- to|+ [LATEST] [FILTER_BY_TS ts...] [FILTER_BY_VALUE min max]
     * [COUNT n] [ALIGN align] [AGGREGATION aggs bucket [BUCKETTIMESTAMP bt] [EMPTY]];
     * which one is read from argument 0.
     */
    public static RangeRequest range(Args a) {
        int n = a.count();
        if (n < 4) throw Err.arity(a);
        RangeOpts r = new RangeOpts(a, 2);
        for (int i = 4; i < n; ) i = r.parseOrFail(i);
        return new RangeRequest(a.bytes(1), a.is(0, "TS.REVRANGE"), r.build());
    }

    static final String NUMKEYS = "numkeys must be a positive integer";
    static final String NRANGE_AGGS = "the number of aggregators must be equal to numkeys";

    /**
     * TS.NRANGE / TS.NREVRANGE numkeys key... from to [the options of TS.RANGE], where
     * AGGREGATION takes one aggregator list per key ({@code AGGREGATION avg,max sum 1000} for
     * two keys); which one is read from argument 0. The checks come in the reference's order:
     * numkeys, arity, the aggregator count, then the range options.
     */
    public static NRangeRequest nrange(Args a) {
        int n = a.count();
        if (n < 5) throw Err.arity(a);
        long numKeys = Num.parseLong(a, 1);
        if (numKeys == Num.NOT_INT || numKeys <= 0) throw Err.tsdb(NUMKEYS);
        if (numKeys > n - 4) throw Err.arity(a);
        int k = (int) numKeys;
        int rangeStart = 2 + k;
        int agg = -1;
        for (int i = rangeStart + 2; i < n && agg < 0; i++) if (a.is(i, "AGGREGATION")) agg = i;
        List<List<Agg>> perKey = null;
        Args rest = a;
        if (agg >= 0) {
            perKey = new ArrayList<>(k);
            for (int i = 0; i < k; i++) {
                int at = agg + 1 + i;
                if (at >= n || Num.parseLong(a, at) != Num.NOT_INT) throw Err.tsdb(NRANGE_AGGS);
                perKey.add(aggList(a.string(at)));
            }
            int after = agg + 1 + k;
            if (after < n && Num.parseLong(a, after) == Num.NOT_INT && isAggList(a.string(after))) {
                throw Err.tsdb(NRANGE_AGGS);
            }
            // the shared parser sees "AGGREGATION <first key's list> bucket ..."
            if (k > 1) rest = MultiParsers.without(a, agg + 2, k - 1);
        }
        RangeOpts r = new RangeOpts(rest, rangeStart);
        for (int i = rangeStart + 2; i < rest.count(); ) i = r.parseOrFail(i);
        return new NRangeRequest(k, a.is(0, "TS.NREVRANGE"), r.build(), perKey == null ? null : List.copyOf(perKey));
    }

    /** One key's aggregator list ("avg" or "avg,max"), checked as AGGREGATION checks it. */
    private static List<Agg> aggList(String s) {
        List<Agg> aggs = new ArrayList<>(2);
        for (String name : splitList(s, Err.AGG_EMPTY)) {
            if (aggs.size() == MAX_AGGREGATORS) throw Err.tsdb(Err.AGG_TOO_MANY);
            Agg agg = Agg.parse(name);
            if (agg == null) throw Err.tsdb(Err.AGG_UNKNOWN);
            aggs.add(agg);
        }
        return List.copyOf(aggs);
    }

    private static boolean isAggList(String s) {
        try {
            aggList(s);
            return true;
        } catch (TsException e) {
            return false;
        }
    }

    /**
     * TS.MRANGE / TS.MREVRANGE from to [the options of TS.RANGE] [WITHLABELS | SELECTED_LABELS l...]
     * FILTER matcher... [GROUPBY label REDUCE reducer]; which one is read from argument 0.
     */
    public static MRangeRequest mrange(Args a) {
        int n = a.count();
        if (n < 4) throw Err.arity(a);
        RangeOpts r = new RangeOpts(a, 1);
        LabelOpts labels = new LabelOpts(a);
        int i = 3;
        while (i < n && !a.is(i, "FILTER")) {
            if (a.is(i, "GROUPBY")) throw Err.tsdb(Err.GROUPBY_ORDER);
            int next = labels.parse(i);
            i = next >= 0 ? next : r.parseOrFail(i);
        }
        RangeQuery query = r.build();
        if (i == n) throw Err.tsdb(Err.FILTER_MISSING);
        LabelSelection selection = labels.build();
        int groupAt = i + 1;
        while (groupAt < n && !a.is(groupAt, "GROUPBY")) groupAt++;
        if (groupAt == i + 1) throw Err.tsdb(Err.FILTER_EMPTY);
        List<Matcher> filter = Filters.parse(a, i + 1, groupAt);
        GroupBy groupBy = groupAt < n ? groupBy(a, groupAt, query) : null;
        return new MRangeRequest(a.is(0, "TS.MREVRANGE"), query, selection, filter, groupBy);
    }

    private static GroupBy groupBy(Args a, int at, RangeQuery query) {
        if (a.count() - at != 4 || !a.is(at + 2, "REDUCE")) throw Err.arity(a);
        Agg reducer = Agg.parse(a.string(at + 3));
        if (reducer == null || !reducer.kind().isReducer()) throw Err.tsdb(Err.REDUCER);
        if (query.aggregation() != null && query.aggregation().aggregators().size() > 1) {
            throw Err.tsdb(Err.GROUPBY_MULTI);
        }
        return new GroupBy(a.string(at + 1), reducer);
    }

    /** TS.MGET [LATEST] [WITHLABELS | SELECTED_LABELS l...] FILTER matcher... */
    public static MGetRequest mget(Args a) {
        int n = a.count();
        if (n < 3) throw Err.arity(a);
        int filterAt = 1;
        while (filterAt < n && !a.is(filterAt, "FILTER")) filterAt++;
        if (filterAt == n) throw Err.arity(a); // the reference answers a missing FILTER so here
        boolean latest = false;
        LabelOpts labels = new LabelOpts(a);
        for (int i = 1; i < filterAt; ) {
            if (a.is(i, "LATEST")) {
                latest = true;
                i++;
                continue;
            }
            int next = labels.parse(i);
            if (next < 0) throw Err.unknownArgument(a, i);
            i = next;
        }
        return new MGetRequest(latest, labels.build(), Filters.parse(a, filterAt + 1, n));
    }

    /** TS.QUERYINDEX matcher... */
    public static QueryIndexRequest queryIndex(Args a) {
        if (a.count() < 2) throw Err.arity(a);
        return new QueryIndexRequest(Filters.parse(a, 1, a.count()));
    }

    // ----------------------------------------------------------------- helpers

    /** A sample timestamp: a non-negative int64. */
    private static long timestamp(Args a, int i) {
        long t = Num.parseLong(a, i);
        if (t == Num.NOT_INT) throw Err.tsdb(Err.INVALID_TIMESTAMP);
        if (t < 0) throw Err.tsdb(Err.NEGATIVE_TIMESTAMP);
        return t;
    }

    private static long from(Args a, int i) {
        if (Num.isChar(a, i, '-')) return 0;
        long t = Num.parseLong(a, i);
        if (t < 0) throw Err.tsdb(Err.FROM);
        return t;
    }

    private static long to(Args a, int i) {
        if (Num.isChar(a, i, '+')) return Long.MAX_VALUE;
        long t = Num.parseLong(a, i);
        if (t < 0) throw Err.tsdb(Err.TO);
        return t;
    }

    private static DuplicatePolicy policy(Args a, int i) {
        if (i >= a.count()) throw Err.tsdb(Err.POLICY_MISSING);
        DuplicatePolicy p = DuplicatePolicy.named(a, i);
        if (p == null) throw Err.tsdb(Err.POLICY_UNKNOWN);
        return p;
    }

    /**
     * AGGREGATION at {@code at}: its aggregator list and bucket, checked in the
     * reference's order (both present and the bucket an integer, then the
     * names, then the bucket above zero).
     */
    private static Aggregation aggregationHead(Args a, int at) {
        long bucket = at + 2 < a.count() ? Num.parseLong(a, at + 2) : Num.NOT_INT;
        if (bucket == Num.NOT_INT) throw Err.tsdb(Err.AGGREGATION);
        List<Agg> aggs = new ArrayList<>(2);
        for (String name : splitList(a.string(at + 1), Err.AGG_EMPTY)) {
            if (aggs.size() == MAX_AGGREGATORS) throw Err.tsdb(Err.AGG_TOO_MANY);
            Agg agg = Agg.parse(name);
            if (agg == null) throw Err.tsdb(Err.AGG_UNKNOWN);
            aggs.add(agg);
        }
        if (bucket <= 0) throw Err.tsdb(Err.BUCKET);
        return new Aggregation(List.copyOf(aggs), bucket, BucketTimestamp.START, false);
    }

    /** "a,b,c" to its elements; an empty element (or an empty string) throws {@code emptyErr}. */
    static List<String> splitList(String s, String emptyErr) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int k = 0; k <= s.length(); k++) {
            if (k == s.length() || s.charAt(k) == ',') {
                if (k == start) throw Err.tsdb(emptyErr);
                out.add(s.substring(start, k));
                start = k + 1;
            }
        }
        return out;
    }

    private static List<Label> labels(Args a, int from, int n) {
        if ((n - from) % 2 != 0) throw Err.tsdb(Err.LABELS);
        List<Label> out = new ArrayList<>((n - from) / 2);
        for (int i = from; i < n; i += 2) {
            String name = a.string(i);
            String value = a.string(i + 1);
            if (name.isEmpty() || value.isEmpty() || value.indexOf('(') >= 0 || value.indexOf(')') >= 0
                    || value.indexOf(',') >= 0) {
                throw Err.tsdb(Err.LABELS);
            }
            out.add(new Label(name, value));
        }
        return List.copyOf(out);
    }

    /** The series options, plus ON_DUPLICATE (TS.ADD) or TIMESTAMP (TS.INCRBY/DECRBY). */
    private static final class SeriesOpts {
        private final Args a;
        private final boolean onDuplicateAllowed;
        private final boolean timestampAllowed;
        long retention = -1;
        Encoding encoding;
        int chunkSize;
        DuplicatePolicy policy = DuplicatePolicy.NONE;
        Ignore ignore;
        List<Label> labels;
        DuplicatePolicy onDuplicate = DuplicatePolicy.NONE;
        long timestamp = -1; // -1: the server's clock

        SeriesOpts(Args a, boolean onDuplicateAllowed, boolean timestampAllowed) {
            this.a = a;
            this.onDuplicateAllowed = onDuplicateAllowed;
            this.timestampAllowed = timestampAllowed;
        }

        SeriesOpts parseFrom(int i) {
            while (i < a.count()) {
                int next = parse(i);
                if (next < 0) throw Err.unknownArgument(a, i);
                i = next;
            }
            return this;
        }

        /** Reads the option at i; returns the index after it, or -1 if it is none of ours. */
        private int parse(int i) {
            int n = a.count();
            boolean hasValue = i + 1 < n;
            if (a.is(i, "RETENTION")) {
                retention = hasValue ? Num.parseLong(a, i + 1) : Num.NOT_INT;
                if (retention < 0) throw Err.tsdb(Err.RETENTION);
                return i + 2;
            }
            if (a.is(i, "CHUNK_SIZE")) {
                long size = hasValue ? Num.parseLong(a, i + 1) : Num.NOT_INT;
                if (size == Num.NOT_INT) throw Err.tsdb(Err.CHUNK_SIZE);
                if (size < 48 || size > 1048576 || size % 8 != 0) throw Err.tsdb(Err.CHUNK_RANGE);
                chunkSize = (int) size;
                return i + 2;
            }
            if (a.is(i, "ENCODING")) {
                if (!hasValue) throw Err.arity(a);
                if (a.is(i + 1, "COMPRESSED")) encoding = Encoding.COMPRESSED;
                else if (a.is(i + 1, "UNCOMPRESSED")) encoding = Encoding.UNCOMPRESSED;
                else throw Err.tsdb(Err.ENCODING);
                return i + 2;
            }
            if (a.is(i, "UNCOMPRESSED") || a.is(i, "COMPRESSED")) { // the legacy bare flags
                encoding = a.is(i, "COMPRESSED") ? Encoding.COMPRESSED : Encoding.UNCOMPRESSED;
                return i + 1;
            }
            if (a.is(i, "DUPLICATE_POLICY")) {
                policy = policy(a, i + 1);
                return i + 2;
            }
            if (a.is(i, "IGNORE")) {
                ignore = ignore(i);
                return i + 3;
            }
            if (a.is(i, "LABELS")) {
                labels = labelsMaybeIgnore(i + 1);
                return n;
            }
            if (onDuplicateAllowed && a.is(i, "ON_DUPLICATE")) {
                onDuplicate = policy(a, i + 1);
                return i + 2;
            }
            if (timestampAllowed && a.is(i, "TIMESTAMP")) {
                // The reference crashes on a missing value and takes negatives; we refuse both.
                if (!hasValue) throw Err.tsdb(Err.INVALID_TIMESTAMP);
                timestamp = Num.isChar(a, i + 1, '*') ? -1 : timestamp(a, i + 1);
                return i + 2;
            }
            return -1;
        }

        /**
         * LABELS takes the rest of the arguments. node-redis sends {@code LABELS l v ... IGNORE t v}:
         * a list of odd length (an error as labels alone) with IGNORE at a label-name position is
         * read as the option there plus the labels around it; an even list is labels only, so a
         * label named IGNORE stays a label.
         */
        private List<Label> labelsMaybeIgnore(int from) {
            int n = a.count();
            if ((n - from) % 2 != 0) {
                for (int j = from; j + 2 < n; j += 2) {
                    if (a.is(j, "IGNORE")) {
                        ignore = ignore(j);
                        List<Label> out = new ArrayList<>(labels(a, from, j));
                        out.addAll(labels(a, j + 3, n));
                        return List.copyOf(out);
                    }
                }
            }
            return labels(a, from, n);
        }

        private Ignore ignore(int i) {
            if (i + 2 >= a.count()) throw Err.tsdb(Err.IGNORE);
            long maxTime = Num.parseLong(a, i + 1);
            if (maxTime == Num.NOT_INT) throw Err.tsdb(Err.IGNORE);
            double maxVal = Num.strtod(a, i + 2, Err.IGNORE);
            if (maxTime < 0 || maxVal < 0) throw Err.tsdb(Err.IGNORE_NEGATIVE);
            return new Ignore(maxTime, maxVal);
        }

        SeriesOptions build() {
            return new SeriesOptions(retention, encoding, chunkSize, policy, ignore, labels);
        }
    }

    /** The options of a range read; from and to are at {@code at} and {@code at + 1}. */
    private static final class RangeOpts {
        private final Args a;
        private final boolean fromMin;
        private final boolean toMax;
        private final long from;
        private final long to;
        boolean latest;
        long[] byTs;
        ValueFilter byValue;
        long count = -1;
        Aggregation aggregation;
        Align align;
        boolean strayEmpty; // an EMPTY that is not right after AGGREGATION ... [BUCKETTIMESTAMP bt]

        RangeOpts(Args a, int at) {
            this.a = a;
            from = from(a, at);
            to = to(a, at + 1);
            fromMin = Num.isChar(a, at, '-');
            toMax = Num.isChar(a, at + 1, '+');
        }

        /** Reads the option at i and returns the index after it; refuses anything else. */
        int parseOrFail(int i) {
            int n = a.count();
            if (a.is(i, "LATEST")) {
                latest = true;
                return i + 1;
            }
            if (a.is(i, "COUNT")) {
                if (i + 1 >= n) throw Err.tsdb(Err.COUNT_MISSING);
                count = Num.parseLong(a, i + 1);
                if (count == Num.NOT_INT) throw Err.tsdb(Err.COUNT);
                if (count <= 0) throw Err.tsdb(Err.COUNT_RANGE);
                return i + 2;
            }
            if (a.is(i, "AGGREGATION")) return aggregation(i);
            if (a.is(i, "ALIGN")) {
                if (i + 1 >= n) throw Err.arity(a);
                align = align(i + 1);
                return i + 2;
            }
            if (a.is(i, "FILTER_BY_VALUE")) {
                if (i + 2 >= n) throw Err.tsdb(Err.BY_VALUE_MISSING);
                byValue = new ValueFilter(Num.strtod(a, i + 1, Err.MIN), Num.strtod(a, i + 2, Err.MAX));
                return i + 3;
            }
            if (a.is(i, "FILTER_BY_TS")) return filterByTs(i);
            if (a.is(i, "EMPTY")) {
                // the reference looks for EMPTY only when there is an AGGREGATION: alone it is ignored
                strayEmpty = true;
                return i + 1;
            }
            if (a.is(i, "BUCKETTIMESTAMP")) throw Err.tsdb(Err.BUCKET_TS_PLACE);
            throw Err.unknownArgument(a, i);
        }

        /** AGGREGATION aggs bucket, then BUCKETTIMESTAMP bt and EMPTY in either order. */
        private int aggregation(int i) {
            Aggregation head = aggregationHead(a, i);
            BucketTimestamp bucketTs = BucketTimestamp.START;
            boolean sawBucketTs = false;
            boolean empty = false;
            int j = i + 3;
            while (j < a.count()) {
                if (!sawBucketTs && a.is(j, "BUCKETTIMESTAMP")) {
                    if (j + 1 >= a.count()) throw Err.arity(a);
                    bucketTs = bucketTimestamp(j + 1);
                    sawBucketTs = true;
                    j += 2;
                } else if (!empty && a.is(j, "EMPTY")) {
                    empty = true;
                    j++;
                } else {
                    break;
                }
            }
            aggregation = new Aggregation(head.aggregators(), head.bucketDuration(), bucketTs, empty);
            return j;
        }

        private BucketTimestamp bucketTimestamp(int i) {
            if (a.is(i, "START") || Num.isChar(a, i, '-')) return BucketTimestamp.START;
            if (a.is(i, "END") || Num.isChar(a, i, '+')) return BucketTimestamp.END;
            if (a.is(i, "MID") || Num.isChar(a, i, '~')) return BucketTimestamp.MID;
            throw Err.tsdb(Err.BUCKET_TS);
        }

        private Align align(int i) {
            if (a.is(i, "START") || Num.isChar(a, i, '-')) return Align.START;
            if (a.is(i, "END") || Num.isChar(a, i, '+')) return Align.END;
            long t = Num.parseLong(a, i);
            if (t < 0) throw Err.tsdb(Err.ALIGN);
            return new Align(Align.Kind.TIMESTAMP, t);
        }

        /** FILTER_BY_TS takes every timestamp that follows; at least one. */
        private int filterByTs(int i) {
            int j = i + 1;
            long[] ts = new long[a.count() - j];
            int c = 0;
            for (; j < a.count(); j++) {
                long t = Num.parseLong(a, j);
                if (t < 0) break;
                ts[c++] = t;
            }
            if (c == 0) throw Err.tsdb(Err.BY_TS_MISSING);
            Arrays.sort(ts, 0, c);
            int distinct = 0;
            for (int k = 0; k < c; k++) {
                if (k == 0 || ts[k] != ts[distinct - 1]) ts[distinct++] = ts[k];
            }
            byTs = Arrays.copyOf(ts, distinct);
            return j;
        }

        RangeQuery build() {
            if (strayEmpty && aggregation != null) throw Err.tsdb(Err.EMPTY_PLACE);
            if (align != null) {
                if (aggregation == null) throw Err.tsdb(Err.ALIGN_NO_AGG);
                if (align.kind() == Align.Kind.START && fromMin) throw Err.tsdb(Err.ALIGN_START);
                if (align.kind() == Align.Kind.END && toMax) throw Err.tsdb(Err.ALIGN_END);
            }
            return new RangeQuery(from, to, latest, byTs, byValue, count, aggregation, align);
        }
    }

    /** WITHLABELS | SELECTED_LABELS l... of TS.MRANGE and TS.MGET. */
    private static final class LabelOpts {
        private final Args a;
        private boolean withLabels;
        private List<String> selected;

        LabelOpts(Args a) {
            this.a = a;
        }

        /** Reads the option at i; returns the index after it, or -1 if it is none of ours. */
        int parse(int i) {
            if (a.is(i, "WITHLABELS")) {
                withLabels = true;
                return i + 1;
            }
            if (!a.is(i, "SELECTED_LABELS")) return -1;
            List<String> names = new ArrayList<>();
            int j = i + 1;
            for (; j < a.count() && !isStopWord(j); j++) names.add(a.string(j));
            if (names.isEmpty()) throw Err.tsdb(Err.SELECTED_EMPTY);
            selected = List.copyOf(names);
            return j;
        }

        private boolean isStopWord(int j) {
            for (String w : SELECTED_LABELS_STOP) {
                if (a.is(j, w)) return true;
            }
            return false;
        }

        LabelSelection build() {
            if (withLabels && selected != null) throw Err.tsdb(Err.LABELS_BOTH);
            if (selected != null) return new LabelSelection(false, selected);
            return withLabels ? new LabelSelection(true, null) : LabelSelection.NONE;
        }
    }
}
