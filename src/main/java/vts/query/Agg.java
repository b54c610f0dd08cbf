package vts.query;

import java.util.Locale;

/**
 * One aggregator as asked for: its kind and, for QUANTILE, the fraction in
 * [0, 1] (NaN otherwise). {@code name} is the wire name to echo in replies
 * ("avg", "std.p", "p99.9").
 */
public record Agg(Aggregator kind, double fraction, String name) {

    private static final Agg[] STANDARD;

    static {
        Aggregator[] all = Aggregator.values();
        STANDARD = new Agg[all.length - 1];
        for (int k = 0; k < STANDARD.length; k++) STANDARD[k] = new Agg(all[k], Double.NaN, all[k].wireName());
    }

    /** The standard (non-quantile) aggregator of that kind. */
    public static Agg of(Aggregator kind) {
        if (kind == Aggregator.QUANTILE) throw new IllegalArgumentException("use quantile(percent)");
        return STANDARD[kind.ordinal()];
    }

    /** The aggregator named by s (any case), or null. */
    public static Agg parse(String s) {
        for (Agg a : STANDARD) {
            if (a.name.equalsIgnoreCase(s)) return a;
        }
        return parseQuantile(s);
    }

    /** "p" then a percentage in [0, 100]: digits without leading zeros, optional ".digits". */
    private static Agg parseQuantile(String s) {
        int n = s.length();
        if (n < 2 || n > 24 || (s.charAt(0) | 0x20) != 'p') return null;
        int p = 1;
        int intStart = p;
        while (p < n && s.charAt(p) >= '0' && s.charAt(p) <= '9') p++;
        int intDigits = p - intStart;
        if (intDigits == 0 || (intDigits > 1 && s.charAt(intStart) == '0')) return null;
        if (p < n && s.charAt(p) == '.') {
            int fracStart = ++p;
            while (p < n && s.charAt(p) >= '0' && s.charAt(p) <= '9') p++;
            if (p == fracStart) return null;
        }
        if (p != n) return null;
        double pct = Double.parseDouble(s.substring(1));
        if (pct > 100) return null;
        return new Agg(Aggregator.QUANTILE, pct / 100, s.toLowerCase(Locale.ROOT));
    }
}
