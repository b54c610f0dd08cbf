package vts.codec;

import static vts.series.Layout.*;

import vts.mem.Mem;

/**
 * The COMPRESSED chunk format (an on-disk format: RDB files store these bytes behind the
 * layout-2 chunk header, which native/series.c converts to and from the in-memory layout-3
 * header). This class holds the writer; {@link ChunkReader} the reader.
 *
 * <h2>Chunk header fields used</h2>
 * The first sample is kept in the header ({@code first_ts}, {@code first_value}); the
 * data area holds samples 1..count-1 as a bit stream. Writer state lives in the header:
 * {@code bit_pos} (bits written), {@code prev_delta} (last timestamp delta),
 * {@code last_ts}, {@code last_value}, {@code prev_leading}/{@code prev_trailing} (the
 * XOR window, or in decimal mode the current scale in prev_leading) and {@code flags}.
 * The data bytes used are ceil(bit_pos / 8) (bit_pos is a uint32: a chunk holds at most
 * 64 MiB); all bits past {@code bit_pos} are zero. A reader
 * needs only first_ts, first_value, count, bit_pos, capacity, flags bit 0 and the
 * stream; it stops at the end of the stream (bit_pos, never past capacity) even when
 * count claims more samples.
 *
 * <p>flags: bit 0 DECIMAL, the chunk starts in decimal mode (the bit a reader needs);
 * bit 3 REGULAR, a hint: every sample after the second has delta of delta 0 (timestamps
 * evenly spaced), so a reader may derive them instead of storing them, checking as it
 * decodes (chunks written before this bit existed have it clear); the others are writer
 * state: bit 1 XOR, values are XOR-coded now (set from the start in an XOR chunk, or
 * after a switch in a decimal chunk); bit 2 NONZERO, the last XOR-mode value code was
 * not "same value"; bits 4-5 the number of decimal escapes in a row just written.
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
 * <h3>Values, XOR mode (chunk flags bit 0 = 0, or after a switch)</h3>
 * x = bits(v_i) XOR bits(v_(i-1)) (raw IEEE-754 bits, so NaN payloads, -0.0 and
 * infinities round-trip). The window (L, T) starts at (0, 0), as does the context
 * (the last value code was "same"). The 1-bit code goes to whichever of "same" and
 * "reuse" is the likelier: "same" after a "same" code (and at the start), "reuse"
 * after any other code.
 * <pre>
 *   context "same"   context "other"
 *   0                10                  x = 0: same value
 *   10               0      bits[64-L-T] x = bits &lt;&lt; T: reuse the window (L, T)
 *   110  u6 lead  u6 len  bits[len]      new window: lead = leading zeros of x, len
 *                                        = 64 - lead - trailing zeros (stored mod 64,
 *                                        0 meaning 64); x = bits &lt;&lt; (64 - lead - len);
 *                                        the window becomes (lead, 64 - lead - len)
 *   111  u3 k  bits[64-C]                C = CLASSES[k] = {0, 6, 8, 10, 12, 14, 16, 20}[k]
 *                                        &le; leading zeros of x; x = bits (no trailing
 *                                        trim); the window becomes (C, 0)
 * </pre>
 * The writer uses the shortest code that fits (ties: reuse, then new window, then
 * class), with C the largest class not above the leading zeros of x.
 *
 * <h3>Values, DECIMAL mode (chunk flags bit 0 = 1)</h3>
 * Used when the chunk's first value is an exact short decimal. A value v is
 * <em>representable at scale d</em> (0 &le; d &le; 15) when m = round(v * 10^d) has
 * |m| &le; 2^50 and the IEEE division (double) m / 10^d gives exactly the bits of v
 * (so -0.0, NaN and infinities never are). The decoded value of an integer m at
 * scale d is (double) m / 10^d. The scale d starts at d0, the smallest scale at which
 * first_value is representable (a reader computes it; 0 if there is none), and only
 * grows. The reference M of a sample is round(v*10^d) if the previous value is
 * representable at the current scale d, else 0.
 * <pre>
 *   0                         v = M / 10^d (delta 0)
 *   10       s5               v = (M + delta) / 10^d, delta in [-16, 15]
 *   110      s8               delta in [-128, 127]
 *   1110     s12              delta in [-2048, 2047]
 *   11110    s16              delta in [-32768, 32767]
 *   111110   s32              delta in [-2^31, 2^31-1]
 *   1111110  s53              any delta (|m| &le; 2^50)
 *   11111110 0 u3 k bits[64-C] escape, v not representable at d: x = bits(v) XOR
 *                             bits(previous value) = bits, C = CLASSES[k] &le; leading
 *                             zeros of x (as the XOR class code)
 *   11111110 1 code           switch: this value and all later ones of the chunk are
 *                             XOR-mode codes (window (0, 0), context "same")
 *   11111111 u4 d' code       scale change: d := d' (d' &gt; d), M is recomputed from the
 *                             previous value at the new scale, then one of the seven
 *                             delta codes above gives v at scale d'
 * </pre>
 * The writer uses the current scale when v is representable there, else the smallest
 * larger scale at which it is, else an escape; the fourth value in a row that needs an
 * escape switches to XOR mode instead.
 *
 * <h3>Checkpoint</h3>
 * So that a reader can decode the two halves of a chunk independently (two interleaved
 * dependency chains), the writer records in the header the decoder state after a
 * decimal-mode delta-coded sample i near the middle of the written bits: it starts at
 * the first such sample and moves on by one sample per append (over a decimal delta code,
 * with or without a scale change; an escape or a switch to XOR mode stops it for good)
 * while its bit lies before half of the bits written, so also a chunk that is still
 * filling, or was closed short, has it near its middle: {@code ckpt_index} = i,
 * {@code ckpt_bit} = the bit position right
 * after its code, {@code ckpt_scale} = the then current scale d, {@code ckpt_ts} = ts_i,
 * {@code ckpt_delta} = delta_i and {@code ckpt_m} = its integer m at scale d (so the
 * next sample's reference M). {@code ckpt_bit} = 0 means
 * no checkpoint (any other chunk). The checkpoint is a hint: the format does not need
 * it, and a reader that uses it must check it (by decoding up to it) before trusting it.
 */
public final class Gorilla {
    private Gorilla() {}

    static final int FLAG_DECIMAL = 1, FLAG_XOR = 2, FLAG_NONZERO = 4, FLAG_REGULAR = 8;
    static final int RUN_SHIFT = 4, RUN_MASK = 3 << RUN_SHIFT;
    /** Escapes in a row after which the next non-decimal value switches to XOR mode. */
    static final int SWITCH_RUN = 3;
    /** Leading-zero classes of the XOR class code. */
    static final byte[] CLASSES = {0, 6, 8, 10, 12, 14, 16, 20};
    /** Index into CLASSES of the largest class &le; the index (0..64). */
    static final byte[] CLASS_OF_LEAD = new byte[65];

    static {
        for (int lead = 0, k = 0; lead <= 64; lead++) {
            while (k + 1 < CLASSES.length && CLASSES[k + 1] <= lead) k++;
            CLASS_OF_LEAD[lead] = (byte) k;
        }
    }
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
    static final byte[] DEC_WIDTHS = {0, 5, 8, 12, 16, 32, 53};
    /** Decimal mode: an escape is a prefix of ESC ones; a scale change ESC + 1 ones. */
    static final int ESC = DEC_WIDTHS.length;
    private static final long ESC_PREFIX = (1L << ESC) - 1;
    private static final long SCALE_PREFIX = (1L << (ESC + 1)) - 1;

    static int bucket(long x, byte[] widths) {
        if (x == 0) return 0;
        int k = 1;
        while (!fits(x, widths[k])) k++;
        return k;
    }

    /**
     * The buckets of x by the number of leading zeros of x ^ (x >> 63) (a two's complement
     * field of 65 - that many bits holds x): a table lookup instead of {@link #bucket}'s loop,
     * whose exit branch random values mispredict. Index 64 is x = -1 (x = 0 is bucket 0 and
     * is told apart by the caller).
     */
    private static final byte[] TS_BUCKET_BY_LZ = bucketsByLeadingZeros(TS_WIDTHS);
    private static final byte[] DEC_BUCKET_BY_LZ = bucketsByLeadingZeros(DEC_WIDTHS);

    private static byte[] bucketsByLeadingZeros(byte[] widths) {
        byte[] t = new byte[65];
        for (int lz = 0; lz <= 64; lz++) {
            int bits = 65 - lz;
            int k = 1;
            while (k < widths.length - 1 && widths[k] < bits) k++;
            t[lz] = (byte) k;
        }
        return t;
    }

    /** {@link #bucket}(x, TS_WIDTHS) without the loop. */
    static int tsBucket(long x) {
        int k = TS_BUCKET_BY_LZ[Long.numberOfLeadingZeros(x ^ (x >> 63))];
        return x == 0 ? 0 : k;
    }

    /** {@link #bucket}(x, DEC_WIDTHS) without the loop, for |x| &le; 2^51 (a difference of two m, each |m| &le; 2^50). */
    static int decBucket(long x) {
        int k = DEC_BUCKET_BY_LZ[Long.numberOfLeadingZeros(x ^ (x >> 63))];
        return x == 0 ? 0 : k;
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

    /** The code of x in bucket k (its prefix, then its payload), when it is at most 64 bits long. */
    static long code(long x, int k, byte[] widths) {
        return ((1L << k) - 1) | (x & mask(widths[k])) << (k + 1);
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
        Mem.putByte(c + C_FLAGS, (byte) ((d >= 0 ? FLAG_DECIMAL : FLAG_XOR) | FLAG_REGULAR));
        Mem.putByte(c + C_PREV_LEADING, (byte) Math.max(d, 0));
        Mem.putByte(c + C_PREV_TRAILING, (byte) 0);
        Mem.putInt(c + C_CKPT_INDEX, 0);
        Mem.putInt(c + C_CKPT_BIT, 0);
        Mem.putByte(c + C_CKPT_SCALE, (byte) 0);
        Mem.putLong(c + C_CKPT_TS, 0);
        Mem.putLong(c + C_CKPT_DELTA, 0);
        Mem.putLong(c + C_CKPT_M, 0);
    }

    /** The decimal scale d0 a decimal chunk starts at. */
    static int initialScale(double firstValue) {
        return Math.max(smallestScale(firstValue, 0), 0);
    }

    // XOR value code kinds
    static final int SAME = 0, REUSE = 1, WINDOW = 2, CLASS = 3;

    /**
     * The shortest XOR-mode code of x under window (pl, pt) and the context: its kind
     * in bits 8.., its length in bits 0..7.
     */
    static int xorChoice(long x, int pl, int pt, boolean afterNonZero) {
        if (x == 0) return SAME << 8 | (afterNonZero ? 2 : 1);
        int lead = Long.numberOfLeadingZeros(x);
        int trail = Long.numberOfTrailingZeros(x);
        int best = CLASS << 8 | (6 + 64 - CLASSES[CLASS_OF_LEAD[lead]]);
        int window = 15 + 64 - lead - trail;
        if (window <= (best & 0xff)) best = WINDOW << 8 | window;
        if (lead >= pl && trail >= pt) {
            int reuse = (afterNonZero ? 1 : 2) + 64 - pl - pt;
            if (reuse <= (best & 0xff)) best = REUSE << 8 | reuse;
        }
        return best;
    }

    /** Writes the XOR-mode code chosen by xorChoice; updates the window in the header. */
    static long writeXor(long c, long data, long pos, long x, int choice, boolean afterNonZero) {
        switch (choice >>> 8) {
            case SAME -> {
                return put(data, pos, afterNonZero ? 0b01 : 0b0, afterNonZero ? 2 : 1);
            }
            case REUSE -> {
                int pl = Mem.getUByte(c + C_PREV_LEADING);
                int pt = Mem.getUByte(c + C_PREV_TRAILING);
                pos = afterNonZero ? put(data, pos, 0b0, 1) : put(data, pos, 0b01, 2);
                return put(data, pos, x >>> pt, 64 - pl - pt);
            }
            case WINDOW -> {
                int lead = Long.numberOfLeadingZeros(x);
                int trail = Long.numberOfTrailingZeros(x);
                int len = 64 - lead - trail;
                pos = put(data, pos, 0b011 | ((long) lead << 3) | ((long) (len & 63) << 9), 15);
                Mem.putByte(c + C_PREV_LEADING, (byte) lead);
                Mem.putByte(c + C_PREV_TRAILING, (byte) trail);
                return put(data, pos, x >>> trail, len);
            }
            default -> {
                int k = CLASS_OF_LEAD[Long.numberOfLeadingZeros(x)];
                pos = put(data, pos, 0b111 | (k << 3), 6);
                Mem.putByte(c + C_PREV_LEADING, CLASSES[k]);
                Mem.putByte(c + C_PREV_TRAILING, (byte) 0);
                return put(data, pos, x, 64 - CLASSES[k]);
            }
        }
    }

    /** The flags after an XOR-mode code of the given choice. */
    private static int xorFlags(int flags, int choice) {
        return (choice >>> 8) == SAME ? flags & ~FLAG_NONZERO : flags | FLAG_NONZERO;
    }

    /**
     * Appends sample count (&ge; 1) to the bit stream; false, with nothing changed, if it
     * does not fit. Updates bit_pos, prev_delta, the value state and used (not the
     * summaries, last_ts or last_value: the caller does).
     */
    static boolean append(long c, long ts, double v) {
        long pos = Mem.getInt(c + C_BIT_POS) & 0xffffffffL;
        long limit = (Mem.getInt(c + C_CAPACITY) & 0xffffffffL) << 3;
        if (pos < 0 || pos > limit) return false; // a corrupt header: never write outside the data
        long delta = ts - Mem.getLong(c + C_LAST_TS);
        long dod = delta - Mem.getLong(c + C_PREV_DELTA);
        int kt = tsBucket(dod);
        int tsBits = kt + 1 + TS_WIDTHS[kt];
        double last = Mem.getDouble(c + C_LAST_VALUE);
        long x = Double.doubleToRawLongBits(v) ^ Double.doubleToRawLongBits(last);
        int flags = Mem.getUByte(c + C_FLAGS);
        long data = c + C_DATA;
        if ((flags & (FLAG_XOR | FLAG_DECIMAL)) != FLAG_DECIMAL) {
            boolean nz = (flags & FLAG_NONZERO) != 0;
            int choice = xorChoice(x, Mem.getUByte(c + C_PREV_LEADING), Mem.getUByte(c + C_PREV_TRAILING), nz);
            if (pos + tsBits + (choice & 0xff) > limit) return false;
            pos = writeCode(data, pos, dod, TS_WIDTHS);
            pos = writeXor(c, data, pos, x, choice, nz);
            flags = xorFlags(flags, choice);
        } else {
            int d = Math.min(Mem.getUByte(c + C_PREV_LEADING), MAX_SCALE);
            long m = scaled(v, d);
            int nd = d;
            if (m == NOT_DECIMAL) {
                nd = smallestScale(v, d + 1);
                if (nd >= 0) m = scaled(v, nd);
            }
            if (nd < 0 && (flags & RUN_MASK) >>> RUN_SHIFT >= SWITCH_RUN) {
                int choice = xorChoice(x, 0, 0, false);
                if (pos + tsBits + ESC + 2 + (choice & 0xff) > limit) return false;
                pos = writeCode(data, pos, dod, TS_WIDTHS);
                pos = put(data, pos, ESC_PREFIX | 1L << (ESC + 1), ESC + 2);
                Mem.putByte(c + C_PREV_LEADING, (byte) 0);
                Mem.putByte(c + C_PREV_TRAILING, (byte) 0);
                pos = writeXor(c, data, pos, x, choice, false);
                flags = xorFlags((flags & ~RUN_MASK) | FLAG_XOR, choice);
            } else if (nd < 0) {
                int k = CLASS_OF_LEAD[Long.numberOfLeadingZeros(x)];
                int n = 64 - CLASSES[k];
                if (pos + tsBits + ESC + 5 + n > limit) return false;
                pos = writeCode(data, pos, dod, TS_WIDTHS);
                pos = put(data, pos, ESC_PREFIX | (long) k << (ESC + 2), ESC + 5);
                pos = put(data, pos, x, n);
                flags += 1 << RUN_SHIFT;
            } else {
                long dm = m - reference(last, nd);
                int kv = decBucket(dm);
                int dmBits = kv + 1 + DEC_WIDTHS[kv];
                int vBits = dmBits + (nd != d ? ESC + 5 : 0);
                if (pos + tsBits + vBits > limit) return false;
                if (nd == d && tsBits + dmBits <= 64) { // the common case: both codes in one write
                    pos = put(data, pos, code(dod, kt, TS_WIDTHS) | code(dm, kv, DEC_WIDTHS) << tsBits, tsBits + dmBits);
                } else {
                    pos = writeCode(data, pos, dod, TS_WIDTHS);
                    if (nd != d) {
                        pos = put(data, pos, SCALE_PREFIX | (long) nd << (ESC + 1), ESC + 5);
                        Mem.putByte(c + C_PREV_LEADING, (byte) nd);
                    }
                    pos = writeCode(data, pos, dm, DEC_WIDTHS);
                }
                flags &= ~RUN_MASK;
                long ck = Mem.getInt(c + C_CKPT_BIT) & 0xffffffffL;
                if (ck == 0 && pos <= 0xffffffffL) {
                    Mem.putInt(c + C_CKPT_INDEX, Mem.getInt(c + C_COUNT));
                    Mem.putInt(c + C_CKPT_BIT, (int) pos);
                    Mem.putByte(c + C_CKPT_SCALE, (byte) nd);
                    Mem.putLong(c + C_CKPT_TS, ts);
                    Mem.putLong(c + C_CKPT_DELTA, delta);
                    Mem.putLong(c + C_CKPT_M, m);
                } else if (ck << 1 < pos) {
                    advanceCheckpoint(c, data, ck, pos, limit);
                }
            }
        }
        if (dod != 0 && Mem.getInt(c + C_COUNT) >= 2) flags &= ~FLAG_REGULAR; // (sample 1's dod is its delta)
        Mem.putByte(c + C_FLAGS, (byte) flags);
        Mem.putInt(c + C_BIT_POS, (int) pos);
        Mem.putLong(c + C_PREV_DELTA, delta);
        return true;
    }

    /**
     * Moves the checkpoint one sample on (the writer calls this while it lies before the
     * middle of the written bits, and each append adds a sample, so it stays near the
     * middle). It moves over a decimal delta code, with or without a scale change; an
     * escape or a switch to XOR mode stops it for good (a reader decodes such a chunk
     * the general way anyway).
     */
    private static void advanceCheckpoint(long c, long data, long ck, long pos, long limit) {
        // the longest sample (70 + 12 + 60 bits) lies within four words of ck's word
        if (((ck >>> 6) + 4) << 6 > limit) return;
        long x = bits(data, ck);
        int kt = Long.numberOfTrailingZeros(~x);
        if (kt >= TS_WIDTHS.length) return; // reserved
        long p = ck + kt + 1;
        long dod = TS_WIDTHS[kt] == 0 ? 0 : signed(bits(data, p), TS_WIDTHS[kt]);
        p += TS_WIDTHS[kt];
        int d = Mem.getUByte(c + C_CKPT_SCALE);
        long m = Mem.getLong(c + C_CKPT_M);
        long y = bits(data, p);
        int kv = Long.numberOfTrailingZeros(~y);
        if (kv > ESC) { // a scale change: the reference rescaled, then a delta code
            int nd = (int) (y >>> (ESC + 1)) & 15;
            if (nd <= d || nd > MAX_SCALE) return;
            long f = (long) POW10[nd - d];
            if (Math.abs(m) > (1L << 50) / f) return;
            m *= f;
            d = nd;
            p += ESC + 5;
            y = bits(data, p);
            kv = Long.numberOfTrailingZeros(~y);
        }
        if (kv >= ESC) return;
        p += kv + 1;
        if (DEC_WIDTHS[kv] > 0) m += signed(bits(data, p), DEC_WIDTHS[kv]);
        p += DEC_WIDTHS[kv];
        if (p > pos) return;
        long delta = Mem.getLong(c + C_CKPT_DELTA) + dod;
        Mem.putInt(c + C_CKPT_INDEX, Mem.getInt(c + C_CKPT_INDEX) + 1);
        Mem.putInt(c + C_CKPT_BIT, (int) p);
        Mem.putByte(c + C_CKPT_SCALE, (byte) d);
        Mem.putLong(c + C_CKPT_TS, Mem.getLong(c + C_CKPT_TS) + delta);
        Mem.putLong(c + C_CKPT_DELTA, delta);
        Mem.putLong(c + C_CKPT_M, m);
    }

    /** The 64 stream bits from bit p on (the two words holding them must lie in the chunk). */
    private static long bits(long data, long p) {
        long a = data + ((p >>> 6) << 3);
        int off = (int) (p & 63);
        long lo = Mem.getLong(a);
        return off == 0 ? lo : (lo >>> off) | (Mem.getLong(a + 8) << (64 - off));
    }

    /** The low bits of x as a two's complement field (1 &le; bits &le; 64). */
    static long signed(long x, int bits) {
        if (bits == 64) return x;
        return (x << (64 - bits)) >> (64 - bits);
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
