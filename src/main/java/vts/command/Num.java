package vts.command;

/**
 * Number parsing straight from argument bytes, without building Strings on the
 * common path. Each method mirrors the reader the reference uses at that spot.
 */
final class Num {
    private Num() {}

    /** Returned by {@link #parseLong} for anything that is not a strict int64. */
    static final long NOT_INT = Long.MIN_VALUE;

    private static final int MAX_DOUBLE_CHARS = 1024;
    private static final double[] POW10 = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    /**
     * A strict int64 as the server's string2ll reads it: optional '-', no '+', no
     * spaces, no leading zeros, no overflow. {@link #NOT_INT} when invalid (so
     * Long.MIN_VALUE itself reads as invalid, which only ever matters for a
     * value that is rejected anyway).
     */
    static long parseLong(Args a, int i) {
        int n = a.length(i);
        if (n == 0 || n > 20) return NOT_INT;
        int p = 0;
        boolean neg = a.byteAt(i, 0) == '-';
        if (neg) p++;
        if (p == n) return NOT_INT;
        int first = a.byteAt(i, p);
        if (first == '0') return (n == 1) ? 0 : NOT_INT;
        if (first < '1' || first > '9') return NOT_INT;
        long v = 0; // accumulated negatively to reach Long.MIN_VALUE
        for (; p < n; p++) {
            int d = a.byteAt(i, p) - '0';
            if (d < 0 || d > 9) return NOT_INT;
            if (v < (Long.MIN_VALUE + d) / 10) return NOT_INT;
            v = v * 10 - d;
        }
        if (neg) return v;
        return v == Long.MIN_VALUE ? NOT_INT : -v;
    }

    /** Returned by {@link #plainTimestamp} and {@link #plainValue} for input they leave to the full readers. */
    static final long NOT_PLAIN = -1;

    /**
     * The common shape of a timestamp read straight from native memory: 1 to 18 digits, no
     * leading zero (a value {@link #parseLong} reads the same); {@link #NOT_PLAIN} for
     * anything else, which the caller then gives to the full reader.
     */
    static long plainTimestamp(long addr, int n) {
        if (n < 1 || n > 18) return NOT_PLAIN;
        int first = vts.mem.Mem.getByte(addr) - '0';
        if (first < 0 || first > 9 || (first == 0 && n > 1)) return NOT_PLAIN;
        long v = first;
        for (int p = 1; p < n; p++) {
            int d = vts.mem.Mem.getByte(addr + p) - '0';
            if (d < 0 || d > 9) return NOT_PLAIN;
            v = v * 10 + d;
        }
        return v;
    }

    /**
     * The common shape of a sample value read straight from native memory: an optional '-',
     * digits without a leading zero (but "0"), an optional '.' with at least one digit, 15
     * digits at most in all; its bits as {@link #sampleValue} reads it (the same exact
     * division), or {@link #NOT_PLAIN} (never the bits of such a value: those are never NaN).
     */
    static long plainValue(long addr, int n) {
        if (n < 1 || n > 17) return NOT_PLAIN;
        int p = 0;
        boolean neg = vts.mem.Mem.getByte(addr) == '-';
        if (neg) p++;
        int intStart = p;
        long mant = 0;
        for (; p < n; p++) {
            int d = vts.mem.Mem.getByte(addr + p) - '0';
            if (d < 0 || d > 9) break;
            mant = mant * 10 + d;
        }
        int intDigits = p - intStart;
        if (intDigits == 0 || (intDigits > 1 && vts.mem.Mem.getByte(addr + intStart) == '0')) return NOT_PLAIN;
        int frac = 0;
        if (p < n) {
            if (vts.mem.Mem.getByte(addr + p) != '.') return NOT_PLAIN;
            for (p++; p < n; p++, frac++) {
                int d = vts.mem.Mem.getByte(addr + p) - '0';
                if (d < 0 || d > 9) return NOT_PLAIN;
                mant = mant * 10 + d;
            }
            if (frac == 0) return NOT_PLAIN;
        }
        if (intDigits + frac > 15) return NOT_PLAIN;
        double v = mant == 0 ? 0.0 : mant / POW10[frac];
        return Double.doubleToRawLongBits(neg ? -v : v);
    }

    /** True if argument i is exactly the one ASCII character c. */
    static boolean isChar(Args a, int i, char c) {
        return a.length(i) == 1 && a.byteAt(i, 0) == c;
    }

    /**
     * A sample value as TS.ADD reads it: an RFC 7159 (JSON) number that fits a
     * finite double, or nan / +nan / -nan in any case. No '+' sign, no leading
     * zeros, no "inf", no surrounding space.
     */
    static double sampleValue(Args a, int i, String err) {
        int n = a.length(i);
        if (isNan(a, i, n)) return Double.NaN;
        return decimal(a, i, n, true, err);
    }

    /**
     * A double as the server's string2d (strtod) reads it: optional sign, digits
     * with an optional fraction ("1.", ".5"), optional exponent, or inf/infinity.
     * NaN, overflow, underflow to zero, spaces and trailing bytes are refused.
     * (Hexadecimal floats, which strtod also takes, are refused here.)
     */
    static double strtod(Args a, int i, String err) {
        return decimal(a, i, a.length(i), false, err);
    }

    private static boolean isNan(Args a, int i, int n) {
        if (n == 4) {
            int s = a.byteAt(i, 0);
            return (s == '+' || s == '-') && wordAt(a, i, 1, "nan");
        }
        return n == 3 && wordAt(a, i, 0, "nan");
    }

    /** True if the bytes of argument i from p to its end spell word (ASCII, any case). */
    private static boolean wordAt(Args a, int i, int p, String word) {
        if (a.length(i) - p != word.length()) return false;
        for (int j = 0; j < word.length(); j++) {
            if ((a.byteAt(i, p + j) | 0x20) != word.charAt(j)) return false;
        }
        return true;
    }

    private static double decimal(Args a, int i, int n, boolean json, String err) {
        if (n == 0 || n > MAX_DOUBLE_CHARS) throw Err.tsdb(err);
        int p = 0;
        int sign = a.byteAt(i, 0);
        boolean neg = sign == '-';
        if (neg || (sign == '+' && !json)) p++;
        if (!json && (wordAt(a, i, p, "inf") || wordAt(a, i, p, "infinity"))) {
            return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        // Digits with an optional '.': up to 18 significant ones go to mant, the rest only move exp10.
        long mant = 0;
        int sig = 0;
        int exp10 = 0;
        boolean dropped = false;
        boolean fraction = false;
        int intDigits = 0;
        int fracDigits = 0;
        int intStart = p;
        for (; p < n; p++) {
            int b = a.byteAt(i, p);
            if (b == '.' && !fraction) {
                fraction = true;
                continue;
            }
            if (!isDigit(b)) break;
            if (fraction) fracDigits++;
            else intDigits++;
            int digit = b - '0';
            if (sig < 18) {
                if (mant != 0 || digit != 0) sig++;
                mant = mant * 10 + digit;
                if (fraction) exp10--;
            } else {
                if (!fraction) exp10++;
                dropped |= digit != 0;
            }
        }
        if (intDigits + fracDigits == 0) throw Err.tsdb(err);
        if (json && (intDigits == 0 || (intDigits > 1 && a.byteAt(i, intStart) == '0') || (fraction && fracDigits == 0))) {
            throw Err.tsdb(err);
        }
        if (p < n && (a.byteAt(i, p) | 0x20) == 'e') {
            p++;
            boolean eneg = false;
            if (p < n && (a.byteAt(i, p) == '+' || a.byteAt(i, p) == '-')) {
                eneg = a.byteAt(i, p) == '-';
                p++;
            }
            int expStart = p;
            int e = 0;
            for (; p < n && isDigit(a.byteAt(i, p)); p++) {
                if (e < 100_000) e = e * 10 + (a.byteAt(i, p) - '0');
            }
            if (p == expStart) throw Err.tsdb(err);
            exp10 += eneg ? -e : e;
        }
        if (p != n) throw Err.tsdb(err);
        double v;
        if (mant == 0) {
            v = 0.0;
        } else if (!dropped && mant <= (1L << 53) && exp10 >= -22 && exp10 <= 22) {
            v = exp10 >= 0 ? mant * POW10[exp10] : mant / POW10[-exp10];
        } else {
            v = slow(a, i, n);
            if (v == 0.0 && !json) throw Err.tsdb(err); // strtod underflow (ERANGE) is refused
            v = Math.abs(v);
        }
        if (Double.isInfinite(v)) throw Err.tsdb(err);
        return neg ? -v : v;
    }

    /** Rare path (long mantissas, large exponents): the grammar is already checked. */
    private static double slow(Args a, int i, int n) {
        StringBuilder sb = new StringBuilder(n + 2);
        int start = 0;
        if (a.byteAt(i, 0) == '+' || a.byteAt(i, 0) == '-') start = 1;
        for (int j = start; j < n; j++) sb.append((char) a.byteAt(i, j));
        if (sb.charAt(0) == '.') sb.insert(0, '0');
        int dot = sb.indexOf(".");
        if (dot >= 0 && (dot + 1 == sb.length() || !isDigit((byte) sb.charAt(dot + 1)))) sb.insert(dot + 1, '0');
        return Double.parseDouble(sb.toString());
    }

    private static boolean isDigit(int b) {
        return b >= '0' && b <= '9';
    }
}
