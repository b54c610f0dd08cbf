package vts.command;

import java.util.ArrayList;
import java.util.List;

/**
 * Parsers of the index commands that {@link Parsers} does not cover: TS.QUERYLABELS,
 * TS.CARD and TS.MDEL, and the several-label GROUPBY extension of TS.MRANGE.
 */
public final class MultiParsers {
    private MultiParsers() {}

    /** TS.QUERYLABELS LABELS | VALUES label [FILTER matcher...]; filter null = every series. */
    public record QueryLabelsRequest(String valuesOf, List<Matcher> filter) {
        public boolean names() { return valuesOf == null; }
    }

    /** TS.CARD [FILTER matcher...]; filter null = every series. */
    public record CardRequest(List<Matcher> filter) {}

    /** TS.MDEL [from to] FILTER matcher...; ranged false deletes the whole series. */
    public record MDelRequest(boolean ranged, long from, long to, List<Matcher> filter) {}

    /**
     * TS.MRANGE with its GROUPBY labels (one or more; empty without GROUPBY) and EXCLUDEEMPTY
     * (leave out series whose reply has no samples).
     */
    public record MRange(MRangeRequest request, List<String> groupLabels, boolean excludeEmpty) {
        public MRange(MRangeRequest request, List<String> groupLabels) {
            this(request, groupLabels, false);
        }
    }

    static final String EXCLUDE_GROUPBY = "EXCLUDEEMPTY is not allowed with GROUPBY";

    public static QueryLabelsRequest queryLabels(Args a) {
        int n = a.count();
        if (n < 2) throw Err.arity(a);
        String valuesOf = null;
        int i;
        if (a.is(1, "LABELS")) {
            i = 2;
        } else if (a.is(1, "VALUES")) {
            if (n < 3 || a.is(2, "FILTER")) throw Err.tsdb("missing label after VALUES");
            valuesOf = a.string(2);
            i = 3;
        } else {
            throw Err.tsdb("invalid subtype '" + Err.oneLine(a.string(1)) + "', expected LABELS or VALUES");
        }
        return new QueryLabelsRequest(valuesOf, optionalFilter(a, i));
    }

    public static CardRequest card(Args a) {
        return new CardRequest(optionalFilter(a, 1));
    }

    public static MDelRequest mdel(Args a) {
        int n = a.count();
        if (n < 3) throw Err.arity(a);
        if (a.is(1, "FILTER")) return new MDelRequest(false, 0, Long.MAX_VALUE, filter(a, 2));
        if (n < 4 || !a.is(3, "FILTER")) throw Err.tsdb(Err.FILTER_MISSING);
        long from = rangeEnd(a, 1, true);
        long to = rangeEnd(a, 2, false);
        return new MDelRequest(true, from, to, filter(a, 4));
    }

    private static long rangeEnd(Args a, int i, boolean from) {
        if (Num.isChar(a, i, from ? '-' : '+')) return from ? 0 : Long.MAX_VALUE;
        long t = Num.parseLong(a, i);
        if (t == Num.NOT_INT || t < 0) throw Err.tsdb(from ? Err.FROM : Err.TO);
        return t;
    }

    /** Nothing, or FILTER and at least one matcher, up to the end. */
    private static List<Matcher> optionalFilter(Args a, int i) {
        int n = a.count();
        if (i == n) return null;
        if (!a.is(i, "FILTER")) throw Err.unknownArgument(a, i);
        return filter(a, i + 1);
    }

    private static List<Matcher> filter(Args a, int from) {
        if (from >= a.count()) throw Err.tsdb(Err.FILTER_EMPTY);
        return Filters.parse(a, from, a.count());
    }

    /**
     * TS.MRANGE / TS.MREVRANGE, accepting {@code GROUPBY l1 l2 ... REDUCE r} as well as the
     * reference's single label: the extra labels are taken out before {@link Parsers#mrange}
     * reads the rest.
     */
    public static MRange mrange(Args a) {
        // EXCLUDEEMPTY: last (after FILTER and GROUPBY, where its docs put it) or among the
        // options before FILTER (where the reference reads it); taken out before the rest is read
        int filterAt = 1;
        while (filterAt < a.count() && !a.is(filterAt, "FILTER")) filterAt++;
        int at = -1;
        for (int i = 1; i < filterAt && at < 0; i++) if (a.is(i, "EXCLUDEEMPTY")) at = i;
        if (at < 0 && filterAt < a.count() - 1 && a.is(a.count() - 1, "EXCLUDEEMPTY")) at = a.count() - 1;
        if (at < 0) return mrangeRest(a);
        MRange m = mrangeRest(without(a, at, 1));
        if (m.request().groupBy() != null) throw Err.tsdb(EXCLUDE_GROUPBY);
        return new MRange(m.request(), m.groupLabels(), true);
    }

    private static MRange mrangeRest(Args a) {
        int n = a.count();
        int g = -1;
        for (int i = n - 1; i >= 1; i--) {
            if (a.is(i, "GROUPBY")) {
                g = i;
                break;
            }
        }
        if (g < 0) return new MRange(Parsers.mrange(a), List.of());
        int r = g + 1;
        while (r < n && !a.is(r, "REDUCE")) r++;
        if (r == n || r - g <= 2) {
            MRangeRequest req = Parsers.mrange(a);
            return new MRange(req, req.groupBy() == null ? List.of() : List.of(req.groupBy().label()));
        }
        List<String> labels = new ArrayList<>();
        for (int i = g + 1; i < r; i++) labels.add(a.string(i));
        int drop = r - g - 2; // keep the first label for the reference parser
        Args view = without(a, g + 2, drop);
        MRangeRequest req = Parsers.mrange(view);
        return new MRange(req, List.copyOf(labels));
    }

    /** a without the count arguments starting at from. */
    static Args without(Args a, int from, int count) {
        return new Args() {
            private int map(int i) { return i < from ? i : i + count; }
            public int count() { return a.count() - count; }
            public int length(int i) { return a.length(map(i)); }
            public byte byteAt(int i, int j) { return a.byteAt(map(i), j); }
            public byte[] bytes(int i) { return a.bytes(map(i)); }
        };
    }
}
