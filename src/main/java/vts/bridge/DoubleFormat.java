package vts.bridge;

import vts.mem.Mem;

/**
 * Shortest text that parses back to the same double, as the reference prints RESP2
 * values: whole numbers without a decimal point, "nan", "inf", "-inf", exponents in
 * C style (1e+20). Numbers with up to 6 decimals (most real data) are written without
 * allocating; the rest go through Double.toString, which is shortest since JDK 19.
 */
public final class DoubleFormat {
    private DoubleFormat() {}

    private static final double[] POW10 = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    private static final double EXACT_LIMIT = 1e15;

    /** Writes v as ASCII plus a NUL at addr (needs 32 bytes); returns the length. */
    public static int write(double v, long addr) {
        if (Double.isNaN(v)) return put("nan", addr);
        if (Double.isInfinite(v)) return put(v > 0 ? "inf" : "-inf", addr);
        if (v == 0) return put(Double.doubleToRawLongBits(v) < 0 ? "-0" : "0", addr);
        double a = Math.abs(v);
        if (a < EXACT_LIMIT && a >= 1e-4) {
            for (int k = 0; k < POW10.length; k++) {
                double r = Math.rint(v * POW10[k]);
                if (Math.abs(r) < EXACT_LIMIT && r / POW10[k] == v) return putScaled((long) r, k, addr);
            }
        }
        return put(cStyle(Double.toString(v)), addr);
    }

    /** Same as {@link #write} but returns a String (tests, errors, TS.INFO). */
    public static String toString(double v) {
        long buf = java.lang.foreign.Arena.ofAuto().allocate(32).address();
        int n = write(v, buf);
        byte[] b = new byte[n];
        Mem.copyToArray(buf, b, 0, n);
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static int putScaled(long r, int k, long addr) {
        int pos = 0;
        if (r < 0) {
            Mem.putByte(addr + pos++, (byte) '-');
            r = -r;
        }
        // digits of r, with a decimal point k digits from the right
        byte[] tmp = DIGITS.get();
        int n = 0;
        do {
            tmp[n++] = (byte) ('0' + (r % 10));
            r /= 10;
        } while (r != 0 || n <= k);
        for (int i = n - 1; i >= 0; i--) {
            Mem.putByte(addr + pos++, tmp[i]);
            if (i == k && k > 0) Mem.putByte(addr + pos++, (byte) '.');
        }
        Mem.putByte(addr + pos, (byte) 0);
        return pos;
    }

    private static final ThreadLocal<byte[]> DIGITS = ThreadLocal.withInitial(() -> new byte[24]);

    private static int put(String s, long addr) {
        int n = s.length();
        for (int i = 0; i < n; i++) Mem.putByte(addr + i, (byte) s.charAt(i));
        Mem.putByte(addr + n, (byte) 0);
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
