package vts.bridge;

import vts.mem.Mem;

/**
 * RESP2 text of range rows, written straight into native memory (the PROTO runs of
 * {@link Reply#sample}): the same bytes the server writes for ReplyWithArray(2),
 * ReplyWithLongLong and ReplyWithSimpleString of the value's {@link DoubleFormat} text.
 */
public final class ReplyText {
    private ReplyText() {}

    /** Most bytes {@link #row} writes: "*2\r\n:", 20 digits and a sign, "\r\n+", 31 chars and a NUL, "\r\n". */
    public static final int ROW_MAX = 5 + 21 + 3 + 32 + 2;

    private static final int ROW_HEAD = '*' | '2' << 8 | '\r' << 16 | '\n' << 24;
    private static final short CRLF = (short) ('\r' | '\n' << 8);

    /**
     * Writes the row [ts, v] at p; returns the address after it. v = m / 10^decimals if
     * decimals &ge; 0 ({@link DoubleFormat#writeDecimal}).
     */
    public static long row(long p, long ts, double v, long m, int decimals) {
        Mem.putInt(p, ROW_HEAD);
        Mem.putByte(p + 4, (byte) ':');
        p = putLong(p + 5, ts);
        Mem.putShort(p, CRLF);
        return value(p + 2, v, m, decimals);
    }

    /** Writes "+", the text of v and CRLF at p; returns the address after it. */
    public static long value(long p, double v, long m, int decimals) {
        Mem.putByte(p, (byte) '+');
        int n = DoubleFormat.writeDecimal(v, m, decimals, p + 1);
        Mem.putShort(p + 1 + n, CRLF);
        return p + 3 + n;
    }

    private static final byte[] DIGITS = new byte[200];
    static {
        for (int i = 0; i < 100; i++) {
            DIGITS[2 * i] = (byte) ('0' + i / 10);
            DIGITS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    /** Writes v in decimal at p; returns the address after it. */
    public static long putLong(long p, long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                byte[] b = "-9223372036854775808".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                Mem.copyFromArray(b, 0, p, b.length);
                return p + b.length;
            }
            Mem.putByte(p++, (byte) '-');
            v = -v;
        }
        if (v < 100_000_000L) return putSmall(p, (int) v);
        // the low 8 digits in int arithmetic (a timestamp in ms has 13); the high ones
        // change every ~28 hours of ms timestamps: their text is kept (main thread only)
        long hi = v / 100_000_000L;
        int lo = (int) (v - hi * 100_000_000L);
        boolean main = Thread.currentThread() == MAIN;
        if (hi == lastHi && main) {
            Mem.putLong(p, lastHiText);
            p += lastHiLen;
        } else if (hi < 100_000_000L && main) {
            long e = putSmall(p, (int) hi);
            lastHiLen = (int) (e - p);
            lastHiText = Mem.getLong(p);
            lastHi = hi;
            p = e;
        } else {
            p = putLong(p, hi);
        }
        put2(p, lo / 1_000_000);
        put2(p + 2, lo / 10_000 % 100);
        put2(p + 4, lo / 100 % 100);
        put2(p + 6, lo % 100);
        return p + 8;
    }

    /** Writes v &ge; 0 as exactly n digits (leading zeros); returns the address after them. */
    static long putFixed(long p, long v, int n) {
        long end = p + n;
        long q = end;
        while (n >= 2) {
            int r = (int) (v % 100);
            v /= 100;
            q -= 2;
            put2(q, r);
            n -= 2;
        }
        if (n == 1) Mem.putByte(q - 1, (byte) ('0' + v));
        return end;
    }

    private static long lastHi = -1, lastHiText;
    private static int lastHiLen;
    /** The thread that may use the cache (the first to write a long: the server's main thread). */
    private static final Thread MAIN = Thread.currentThread();

    /** v &lt; 10^8 without leading zeros. */
    private static long putSmall(long p, int v) {
        int len = v < 10_000 ? (v < 100 ? (v < 10 ? 1 : 2) : (v < 1000 ? 3 : 4))
                : (v < 1_000_000 ? (v < 100_000 ? 5 : 6) : (v < 10_000_000 ? 7 : 8));
        long end = p + len;
        long q = end;
        while (v >= 100) {
            int r = v % 100;
            v /= 100;
            q -= 2;
            put2(q, r);
        }
        if (v >= 10) put2(q - 2, v);
        else Mem.putByte(q - 1, (byte) ('0' + v));
        return end;
    }

    /** Two digits of r &lt; 100. */
    private static void put2(long p, int r) {
        Mem.putShort(p, (short) (DIGITS[2 * r] & 0xff | DIGITS[2 * r + 1] << 8));
    }
}
