package vts.bridge;

import vts.mem.Mem;

/**
 * Shortest text that parses back to the same double, as the reference prints RESP2
 * values: whole numbers without a decimal point, "nan", "inf", "-inf", exponents in
 * C style (1e+20). Whole numbers and short decimals (most real data) are written from
 * their scaled integer; values from 1e-3 to 1e7 with more decimals through Java's
 * StringBuilder.append(double) without allocating, the rest through Double.toString (both
 * shortest since JDK 19). A helper thread may offer texts it formatted ahead
 * ({@link #offerRow}).
 */
public final class DoubleFormat {
    private DoubleFormat() {}

    private static final double[] POW10 = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    private static final double EXACT_LIMIT = 1e15;

    /** Writes v as ASCII plus a NUL at addr (needs 32 bytes); returns the length. Main thread only. */
    public static int write(double v, long addr) {
        if (offerNext < offerCount) {
            // each write takes the next offer, used or not, so offers stay in step with a row
            int i = offerNext++;
            int n = offerLens[i];
            if (n >= 0 && Double.doubleToRawLongBits(v) == offerBits[i]) {
                Mem.copyFromArray(offerText, offerOffs[i], addr, n);
                Mem.putByte(addr + n, (byte) 0);
                return n;
            }
        }
        int n = writeScaled(v, addr);
        if (n >= 0) return n;
        byte[] buf = MAIN_BUF;
        n = format(v, buf, MAIN_SB);
        Mem.copyFromArray(buf, 0, addr, n + 1);
        return n;
    }

    /**
     * {@link #format}'s two common cases, whole numbers and values of [1e-3, 1e7) with up to
     * three decimals, written straight to addr with a NUL (no copy through a Java array, as
     * TS.GET's value takes it); returns the length, or -1 (nothing written) for any other v.
     * The same tests as format's, so the same r and k, and the same digits as putScaled's.
     */
    private static int writeScaled(double v, long addr) {
        double a = Math.abs(v);
        if (!(a < EXACT_LIMIT) || v == 0) return -1; // NaN, infinities, -0 and huge: format's
        long r;
        int k = 0;
        if (v == (long) v) {
            r = (long) v;
        } else {
            if (a < 1e-3 || a >= 1e7) return -1;
            double x;
            do {
                k++;
                x = Math.rint(v * POW10[k]);
            } while (x / POW10[k] != v && k < 3);
            if (x / POW10[k] != v) return -1;
            r = (long) x;
        }
        long p = putDecimal(r, k, addr);
        Mem.putByte(p, (byte) 0);
        return (int) (p - addr);
    }

    /** Writes m / 10^decimals as [-]digits[.fraction of exactly `decimals` digits] at addr; returns the end. */
    private static long putDecimal(long m, int decimals, long addr) {
        long p = addr;
        if (m < 0) {
            Mem.putByte(p++, (byte) '-');
            m = -m;
        }
        if (decimals == 0) return ReplyText.putLong(p, m);
        long ip = m / POW10L[decimals];
        p = ReplyText.putLong(p, ip);
        Mem.putByte(p++, (byte) '.');
        return ReplyText.putFixed(p, m - ip * POW10L[decimals], decimals);
    }

    /**
     * Same as {@link #write} for v = m / 10^decimals (decimals &ge; 0, as a decimal-mode chunk
     * decodes it; any v if decimals &lt; 0), without the NUL: where the text of v is that
     * decimal (trailing zeros dropped) it is written from m, without {@link #format}'s tries.
     * Why the texts are equal: a decimal of at most 15 significant digits is the only one of
     * its length or shorter that rounds to its double, so it is the shortest round-trip text;
     * the conditions below are those under which {@link #format} prints it plainly.
     */
    public static int writeDecimal(double v, long m, int decimals, long addr) {
        // |m| <= 2^53: m converts to a double exactly, so v is m / 10^decimals correctly rounded
        if (decimals < 0 || m == 0 || offerNext < offerCount || m > 1L << 53 || m < -(1L << 53)) {
            return write(v, addr);
        }
        while (decimals > 0 && m % 10 == 0) {
            m /= 10;
            decimals--;
        }
        double a = Math.abs(v);
        if (Math.abs(m) >= 1_000_000_000_000_000L
                || !((a >= 1e-3 && a < 1e7) || (decimals <= 6 && a >= 1e-4 && a < EXACT_LIMIT))) {
            return write(v, addr);
        }
        return (int) (putDecimal(m, decimals, addr) - addr);
    }

    private static final long[] POW10L = {1L, 10L, 100L, 1000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
            100_000_000L, 1_000_000_000L, 10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L,
            10_000_000_000_000L, 100_000_000_000_000L, 1_000_000_000_000_000L};

    /** Same as {@link #write} but returns a String (tests, errors, TS.INFO); any thread. */
    public static String toString(double v) {
        byte[] buf = new byte[32];
        int n = format(v, buf, new StringBuilder(32));
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
    }

    // values formatted ahead of time by a helper thread, for the next writes (main thread only)
    /** Offers at most, one per value of a row. */
    public static final int MAX_OFFERS = 8;
    private static final long[] offerBits = new long[MAX_OFFERS];
    private static final int[] offerOffs = new int[MAX_OFFERS], offerLens = new int[MAX_OFFERS];
    private static byte[] offerText;
    private static int offerCount, offerNext;

    /**
     * Offers, for the next n writes, the texts of n doubles given by {@link #offerValue}
     * (in text): write number i uses text i if it writes that double. The text must stay
     * unchanged until {@link #withdraw}. Main thread only; n &le; MAX_OFFERS.
     */
    public static void offerRow(byte[] text, int n) {
        offerText = text;
        offerCount = n;
        offerNext = 0;
    }

    /**
     * Text i of the next {@link #offerRow}: the {@link #format} text of the double with raw
     * bits bits at [off, off + len) of the row's text, or none when len &lt; 0.
     */
    public static void offerValue(int i, long bits, int off, int len) {
        offerBits[i] = bits;
        offerOffs[i] = off;
        offerLens[i] = len;
    }

    /** Drops the offers (used or not). */
    public static void withdraw() {
        offerCount = 0;
        offerNext = 0;
        offerText = null;
    }

    private static final byte[] MAIN_BUF = new byte[32];
    private static final StringBuilder MAIN_SB = new StringBuilder(32);

    /**
     * Formats v into buf (32 bytes at least) followed by a NUL; returns the length without
     * the NUL. sb is scratch space (its content is replaced). Any thread.
     */
    public static int format(double v, byte[] buf, StringBuilder sb) {
        if (Double.isNaN(v)) return put("nan", buf);
        if (Double.isInfinite(v)) return put(v > 0 ? "inf" : "-inf", buf);
        if (v == 0) return put(Double.doubleToRawLongBits(v) < 0 ? "-0" : "0", buf);
        double a = Math.abs(v);
        // whole numbers (counts, integer gauges, min/max of them): digits only, the same text
        // as both paths below give
        if (a < EXACT_LIMIT && v == (long) v) return putScaled((long) v, 0, buf);
        if (a >= 1e-3 && a < 1e7) {
            // short decimals (most raw samples: prices, readings) from the scaled integer: the
            // same text as Java's shortest form (below), which costs several times more. The
            // first k that gives v back is the shortest (a shorter decimal would have given v
            // at a smaller k: v * 10^k is far below 2^52 here), and it is unique (decimals
            // 10^-k apart cannot both round to v, whose rounding interval is below 2^-29)
            for (int k = 1; k <= 3; k++) {
                double r = Math.rint(v * POW10[k]);
                if (r / POW10[k] == v) return putScaled((long) r, k, buf);
            }
            // Java's shortest form is plain here; only a whole number's ".0" goes
            sb.setLength(0);
            sb.append(v);
            int n = sb.length();
            if (sb.charAt(n - 1) == '0' && sb.charAt(n - 2) == '.') n -= 2;
            for (int i = 0; i < n; i++) buf[i] = (byte) sb.charAt(i);
            buf[n] = 0;
            return n;
        }
        if (a < EXACT_LIMIT && a >= 1e-4) {
            for (int k = 0; k < POW10.length; k++) {
                double r = Math.rint(v * POW10[k]);
                if (Math.abs(r) < EXACT_LIMIT && r / POW10[k] == v) return putScaled((long) r, k, buf);
            }
        }
        return put(cStyle(Double.toString(v)), buf);
    }

    /** r / 10^k in plain decimal notation. */
    private static int putScaled(long r, int k, byte[] buf) {
        boolean neg = r < 0;
        if (neg) r = -r;
        int digits = 1;
        for (long t = r / 10; t != 0; t /= 10) digits++;
        if (digits <= k) digits = k + 1; // leading "0."
        int len = (neg ? 1 : 0) + digits + (k > 0 ? 1 : 0);
        int pos = len;
        buf[pos] = 0;
        for (int i = 0; i < digits; i++) {
            if (i == k && k > 0) buf[--pos] = '.';
            buf[--pos] = (byte) ('0' + (r % 10));
            r /= 10;
        }
        if (neg) buf[--pos] = '-';
        return len;
    }

    private static int put(String s, byte[] buf) {
        int n = s.length();
        for (int i = 0; i < n; i++) buf[i] = (byte) s.charAt(i);
        buf[n] = 0;
        return n;
    }

    /** "1.0E20" → "1e+20", "1.5E-7" → "1.5e-07", "0.30000000000000004" unchanged. */
    static String cStyle(String java) {
        int e = java.indexOf('E');
        if (e < 0) return java.endsWith(".0") ? java.substring(0, java.length() - 2) : java;
        String mant = java.substring(0, e);
        if (mant.endsWith(".0")) mant = mant.substring(0, mant.length() - 2);
        int exp = Integer.parseInt(java.substring(e + 1));
        String sign = exp < 0 ? "-" : "+";
        int ae = Math.abs(exp);
        return mant + "e" + sign + (ae < 10 ? "0" : "") + ae;
    }
}
