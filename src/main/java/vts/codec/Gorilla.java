package vts.codec;

import static vts.series.Layout.*;

import vts.mem.Mem;

/**
 * The COMPRESSED chunk format (an on-disk format: RDB files store these bytes; layout
 * version 1). This class holds the writer; {@link ChunkReader} the reader.
 *
 * <h2>Chunk header fields used</h2>
 * The first sample is kept in the header ({@code first_ts}, {@code first_value}); the
 * data area holds samples 1..count-1 as a bit stream. Writer state lives in the header:
 * {@code bit_pos} (bits written), {@code prev_delta} (last timestamp delta),
 * {@code last_ts}, {@code last_value}, and, depending on the value mode,
 * {@code prev_leading}/{@code prev_trailing}. {@code used} = ceil(bit_pos / 8); all
 * bits past {@code bit_pos} are zero.
 *
 * <h2>Bit stream</h2>
 * The data area is a sequence of 64-bit little-endian words. Bits are written from
 * the least significant bit of word 0 upwards, then word 1, and so on; a field of n
 * bits is stored with its least significant bit first, so a field may straddle two
 * words (its low part in the high bits of word w, its high part in the low bits of
 * word w+1). Below, a "prefix" of k ones means k bits of value 1 followed by one bit
 * of value 0 (except where the maximum prefix has no terminating 0), in stream order.
 * "sN" is an N-bit two's complement field (sign-extended on read); "uN" unsigned.
 *
 * <p>Each sample i &ge; 1 is a timestamp code followed by a value code.
 *
 * <h3>Timestamp: delta of delta</h3>
 * delta_i = ts_i - ts_(i-1), dod = delta_i - delta_(i-1), with delta_0 = 0 (so the
 * first code carries the first delta); all arithmetic wraps modulo 2^64.
 * <pre>
 *   0                  dod = 0                      (1 bit)
 *   10    s7           dod in [-64, 63]             (9 bits)
 *   110   s9           dod in [-256, 255]           (12 bits)
 *   1110  s12          dod in [-2048, 2047]         (16 bits)
 *   11110 s32          dod in [-2^31, 2^31-1]       (37 bits)
 *   111110 s64         any dod                      (70 bits)
 *   111111             reserved
 * </pre>
 *
 * <h3>Values, XOR mode (chunk flags bit 0 = 0)</h3>
 * x = bits(v_i) XOR bits(v_(i-1)) (raw IEEE-754 bits, so NaN payloads, -0.0 and
 * infinities round-trip). The window (prev_leading, prev_trailing) starts at (0, 0).
 * <pre>
 *   0                                 x = 0
 *   10  bits[64-L-T]                  x's meaningful bits in the previous window:
 *                                     x = bits &lt;&lt; T, with L = prev_leading, T = prev_trailing
 *   11  u6 lead  u6 len  bits[len]    new window: lead = leading zeros of x (0..63),
 *                                     len = 64 - lead - trailing (stored as len mod 64,
 *                                     0 meaning 64); x = bits &lt;&lt; (64 - lead - len);
 *                                     the window becomes (lead, 64 - lead - len)
 * </pre>
 * The writer uses '10' when x fits the previous window and that is not longer than '11'.
 *
 * <h3>Values, DECIMAL mode (chunk flags bit 0 = 1)</h3>
 * Used when the chunk's first value is an exact short decimal. A value v is
 * <em>representable at scale d</em> (0 &le; d &le; 15) when m = round(v * 10^d) has
 * |m| &le; 2^50 and the IEEE division (double) m / 10^d gives exactly the bits of v
 * (so -0.0, NaN and infinities never are). The decoded value of an integer m at
 * scale d is (double) m / 10^d. prev_trailing holds the chunk's initial scale d0 (the
 * smallest scale at which first_value is representable); prev_leading holds the
 * current scale d (writer state). The reference M of a sample is round(v*10^d) if the
 * previous value is representable at the current scale d, else 0.
 * <pre>
 *   0                        v = M / 10^d (delta 0)
 *   10      s6               v = (M + delta) / 10^d, delta in [-32, 31]
 *   110     s10              delta in [-512, 511]
 *   1110    s16              delta in [-32768, 32767]
 *   11110   s32              delta in [-2^31, 2^31-1]
 *   111110  s53              any delta (|m| &le; 2^50)
 *   1111110 u64              raw bits of v (not representable at d)
 *   1111111 u4 d' code       scale change: d := d' (d' &gt; d), M is recomputed from the
 *                            previous value at the new scale, then one of the six delta
 *                            codes above gives v at scale d'
 * </pre>
 * The writer uses the current scale when v is representable there, else the smallest
 * larger scale at which it is, else the raw code.
 */
public final class Gorilla {
    private Gorilla() {}

    static final int FLAG_DECIMAL = 1;
    static final int MAX_SCALE = 15;
    static final long NOT_DECIMAL = Long.MIN_VALUE;
    private static final double MAX_M = 0x1p50;
    static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
            1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

    // ---- decimal representation ----

    /** m with v == m / 10^d exactly and |m| &le; 2^50, else NOT_DECIMAL. */
    static long scaled(double v, int d) {
        double p = POW10[d];
        double x = v * p;
        if (!(Math.abs(x) <= MAX_M)) return NOT_DECIMAL;
        long m = Math.round(x);
        if (Double.doubleToRawLongBits(m / p) != Double.doubleToRawLongBits(v)) return NOT_DECIMAL;
        return m;
    }

    /** The reference integer for the next value: the previous value at scale d, or 0. */
    static long reference(double prev, int d) {
        long m = scaled(prev, d);
        return m == NOT_DECIMAL ? 0 : m;
    }

    /** Smallest scale in [from, 15] at which v is representable, or -1. */
    static int smallestScale(double v, int from) {
        for (int d = from; d <= MAX_SCALE; d++) {
            if (scaled(v, d) != NOT_DECIMAL) return d;
        }
        return -1;
    }

    // ---- variable-size codes: bucket k is a prefix of k ones and a zero, then a
    // two's complement payload of WIDTHS[k] bits (width 0: the value is 0) ----

    /** Payload widths of the timestamp (delta of delta) buckets. */
    static final byte[] TS_WIDTHS = {0, 7, 9, 12, 32, 64};
    /** Payload widths of the decimal delta buckets. */
    static final byte[] DEC_WIDTHS = {0, 6, 10, 16, 32, 53};

    static int bucket(long x, byte[] widths) {
        if (x == 0) return 0;
        int k = 1;
        while (!fits(x, widths[k])) k++;
        return k;
    }

    /** Length in bits of the code of x. */
    static int codeBits(long x, byte[] widths) {
        int k = bucket(x, widths);
        return k + 1 + widths[k];
    }

    static long writeCode(long data, long pos, long x, byte[] widths) {
        int k = bucket(x, widths);
        int w = widths[k];
        long prefix = (1L << k) - 1;
        if (k + 1 + w <= 64) return put(data, pos, prefix | (x & mask(w)) << (k + 1), k + 1 + w);
        pos = put(data, pos, prefix, k + 1);
        return put(data, pos, x & mask(w), w);
    }

    static boolean fits(long x, int bits) {
        if (bits == 64) return true;
        return (x << (64 - bits)) >> (64 - bits) == x;
    }

    static long mask(int bits) {
        return bits == 64 ? -1L : (1L << bits) - 1;
    }

    // ---- writer ----

    /** Called for the first sample of a chunk: header only, no bits. */
    static void first(long c, long ts, double v) {
        Mem.putLong(c + C_FIRST_TS, ts);
        Mem.putDouble(c + C_FIRST_VALUE, v);
        Mem.putLong(c + C_PREV_DELTA, 0);
        int d = smallestScale(v, 0);
        if (d >= 0) {
            Mem.putByte(c + C_FLAGS, (byte) FLAG_DECIMAL);
            Mem.putByte(c + C_PREV_LEADING, (byte) d);
            Mem.putByte(c + C_PREV_TRAILING, (byte) d);
        } else {
            Mem.putByte(c + C_FLAGS, (byte) 0);
            Mem.putByte(c + C_PREV_LEADING, (byte) 0);
            Mem.putByte(c + C_PREV_TRAILING, (byte) 0);
        }
    }

    /**
     * Appends sample count (&ge; 1) to the bit stream; false, with nothing changed, if it
     * does not fit. Updates bit_pos, prev_delta, the value state and used (not the
     * summaries, last_ts or last_value: the caller does).
     */
    static boolean append(long c, long ts, double v) {
        long pos = Mem.getLong(c + C_BIT_POS);
        long limit = (Mem.getInt(c + C_CAPACITY) & 0xffffffffL) << 3;
        long delta = ts - Mem.getLong(c + C_LAST_TS);
        long dod = delta - Mem.getLong(c + C_PREV_DELTA);
        int tsBits = codeBits(dod, TS_WIDTHS);
        double last = Mem.getDouble(c + C_LAST_VALUE);
        long data = c + C_DATA;
        if ((Mem.getByte(c + C_FLAGS) & FLAG_DECIMAL) == 0) {
            long x = Double.doubleToRawLongBits(v) ^ Double.doubleToRawLongBits(last);
            if (x == 0) {
                if (pos + tsBits + 1 > limit) return false;
                pos = writeCode(data, pos, dod, TS_WIDTHS);
                pos = put(data, pos, 0, 1);
            } else {
                int lead = Long.numberOfLeadingZeros(x);
                int trail = Long.numberOfTrailingZeros(x);
                int pl = Mem.getUByte(c + C_PREV_LEADING);
                int pt = Mem.getUByte(c + C_PREV_TRAILING);
                int newLen = 64 - lead - trail;
                int oldLen = 64 - pl - pt;
                boolean reuse = lead >= pl && trail >= pt && oldLen <= newLen + 12;
                int vBits = reuse ? 2 + oldLen : 14 + newLen;
                if (pos + tsBits + vBits > limit) return false;
                pos = writeCode(data, pos, dod, TS_WIDTHS);
                if (reuse) {
                    pos = put(data, pos, 0b01, 2);
                    pos = put(data, pos, x >>> pt, oldLen);
                } else {
                    pos = put(data, pos, 0b11 | ((long) lead << 2) | ((long) (newLen & 63) << 8), 14);
                    pos = put(data, pos, x >>> trail, newLen);
                    Mem.putByte(c + C_PREV_LEADING, (byte) lead);
                    Mem.putByte(c + C_PREV_TRAILING, (byte) trail);
                }
            }
        } else {
            int d = Mem.getUByte(c + C_PREV_LEADING);
            long m = scaled(v, d);
            int nd = d;
            if (m == NOT_DECIMAL) {
                nd = smallestScale(v, d + 1);
                if (nd >= 0) m = scaled(v, nd);
            }
            if (nd < 0) {
                if (pos + tsBits + 71 > limit) return false;
                pos = writeCode(data, pos, dod, TS_WIDTHS);
                pos = put(data, pos, 0b0111111, 7);
                pos = put(data, pos, Double.doubleToRawLongBits(v), 64);
            } else {
                long dm = m - reference(last, nd);
                int vBits = codeBits(dm, DEC_WIDTHS) + (nd != d ? 11 : 0);
                if (pos + tsBits + vBits > limit) return false;
                pos = writeCode(data, pos, dod, TS_WIDTHS);
                if (nd != d) {
                    pos = put(data, pos, 0b1111111 | ((long) nd << 7), 11);
                    Mem.putByte(c + C_PREV_LEADING, (byte) nd);
                }
                pos = writeCode(data, pos, dm, DEC_WIDTHS);
            }
        }
        Mem.putLong(c + C_BIT_POS, pos);
        Mem.putLong(c + C_PREV_DELTA, delta);
        Mem.putInt(c + C_USED, (int) ((pos + 7) >>> 3));
        return true;
    }

    /**
     * ORs the low n bits of x (1 &le; n &le; 64; higher bits must be zero) into the stream
     * at bit pos; the caller has checked that pos + n fits the capacity.
     */
    static long put(long data, long pos, long x, int n) {
        long addr = data + ((pos >>> 6) << 3);
        int off = (int) (pos & 63);
        Mem.putLong(addr, Mem.getLong(addr) | (x << off));
        if (off + n > 64) {
            Mem.putLong(addr + 8, Mem.getLong(addr + 8) | (x >>> (64 - off)));
        }
        return pos + n;
    }
}
