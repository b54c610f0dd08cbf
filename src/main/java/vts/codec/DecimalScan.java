package vts.codec;

import static vts.series.Layout.*;

import java.lang.foreign.ValueLayout;

import vts.mem.Mem;

/**
 * Fast forward scan of a decimal-mode COMPRESSED chunk (see {@link Gorilla}) that
 * aggregates in the integer domain: each decimal sample is an integer m at the current
 * scale d (its value is exactly {@code (double) m / 10^d}), so a run of samples at one
 * scale is summarised exactly by its count, the sum of m (a long), the smallest and
 * largest m and the first and last m. The division m / 10^d is monotonic, so min and max
 * of the values are the images of min and max of m.
 *
 * <p>The chunk's data words are copied once into a heap array (one bounds check per
 * chunk instead of one per read), and the common codes (delta of delta 0 followed by a
 * value delta code of at most 11 bits) are decoded with one table lookup. The scan stops
 * at anything outside the decimal delta codes (an escape, a scale change, a switch to XOR
 * mode) or at the end of valid data; the rest of the chunk is then read by a
 * {@link ChunkReader} resumed at that sample ({@link #resume}), which handles every case
 * (including a corrupt chunk, whose data ends early).
 *
 * <p>Reusable, allocates nothing after the buffer grew to the largest chunk seen; not
 * thread-safe. The chunk must not change while it is being scanned.
 */
public final class DecimalScan {
    /** {@link #run} results. */
    public static final int DONE = 0, OVER = 1, STOP = 2, MORE = 3;

    /** Samples per run at most: keeps |sum of m| &le; 2^62 (|m| &le; 2^50). */
    private static final int MAX_RUN = 4096;

    /** Samples per chain decoded from one load in {@link #decodeAll}: 4 codes of at most 12 bits fit the 57 bits of a load. */
    private static final int GROUP = 4;

    /**
     * Entries indexed by the low 12 bits of the stream at a sample: bit 0 = 0 is the
     * timestamp code "dod = 0"; then a decimal delta code "0", "10 s5" or "110 s8".
     * Entry: (delta &lt;&lt; 8) | bits consumed; 0 when the code is not one of these.
     */
    private static final int[] FAST = new int[4096];

    static {
        for (int i = 0; i < 4096; i++) {
            if ((i & 1) != 0) continue;
            int x = i >>> 1;
            int e;
            if ((x & 1) == 0) e = 2;
            else if ((x & 2) == 0) e = (((x >>> 2) << 27) >> 27) << 8 | 8;
            else if ((x & 4) == 0) e = (((x >>> 3) << 24) >> 24) << 8 | 12;
            else e = 0;
            FAST[i] = e;
        }
    }

    /** The chunk's data words (little-endian) and 4 words of zeros, read by 8-byte loads. */
    private byte[] bytes = new byte[(512 + 4) * 8];
    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    // the chunk
    private long chunk;
    private int count;
    private long bitLimit;

    // decoder state: the last committed sample is index - 1
    private int index;
    private long pos;
    private long delta;
    private long ts;
    private long m;
    private int scale;

    /** The run just scanned (valid when n &gt; 0): samples at scale {@link #scale()}. */
    public int n;
    public long sumM, minM, maxM, firstM, lastM;
    /** After OVER: the timestamp of the next sample (not consumed). */
    public long nextTs;

    /**
     * Prepares a scan of chunk c; false (nothing to scan this way) unless c is a
     * COMPRESSED chunk starting in decimal mode whose first value is a decimal.
     */
    public boolean open(long c) {
        if (Mem.getByte(c + C_ENCODING) != ENC_COMPRESSED) return false;
        if ((Mem.getByte(c + C_FLAGS) & Gorilla.FLAG_DECIMAL) == 0) return false;
        double first = Mem.getDouble(c + C_FIRST_VALUE);
        int d = Gorilla.initialScale(first);
        long m0 = Gorilla.scaled(first, d);
        if (m0 == Gorilla.NOT_DECIMAL) return false;
        int cnt = Mem.getInt(c + C_COUNT);
        if (cnt <= 0) return false;
        long capWords = (Mem.getInt(c + C_CAPACITY) & 0xffffffffL) >>> 3;
        long bitPos = Mem.getInt(c + C_BIT_POS) & 0xffffffffL;
        long limit = bitPos >= 0 && bitPos < capWords << 6 ? bitPos : capWords << 6;
        int words = (int) ((limit + 63) >>> 6);
        if (bytes.length < (words + 4) * 8) bytes = new byte[Math.max((words + 4) * 8, bytes.length * 2)];
        java.lang.foreign.MemorySegment.copy(Mem.ALL, ValueLayout.JAVA_BYTE, c + C_DATA, bytes, 0, words * 8);
        java.util.Arrays.fill(bytes, words * 8, words * 8 + 32, (byte) 0);
        chunk = c;
        count = cnt;
        bitLimit = limit;
        index = 0;
        pos = 0;
        delta = 0;
        ts = Mem.getLong(c + C_FIRST_TS);
        m = m0;
        scale = d;
        return true;
    }

    /** The scale of the last run: its values are m / 10^scale. */
    public int scale() {
        return scale;
    }

    /** 10^scale as a double. */
    public double divisor() {
        return Gorilla.POW10[scale];
    }

    /**
     * Scans samples with timestamp &le; limit into the run (n, sumM, ...). Returns DONE at
     * the end of the chunk, OVER when the next sample's timestamp is above limit (in
     * nextTs), STOP when the next sample needs the general reader ({@link #resume}), MORE
     * when the run is full (4096 samples): add it and call again.
     */
    public int run(long limit) {
        final byte[] b = bytes;
        final int[] fast = FAST;
        int i = index;
        long p = pos, dl = delta, t = ts, mm = m;
        long sum = 0, lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
        int k = 0;
        int status = DONE;
        long bl = bitLimit;
        if (i == 0) {
            if (t > limit) {
                n = 0;
                nextTs = t;
                return OVER;
            }
            sum = mm;
            lo = mm;
            hi = mm;
            firstM = mm;
            k = 1;
            i = 1;
        }
        int end = (int) Math.min(count, (long) i + MAX_RUN - k);
        while (true) {
            if (i >= end) {
                status = i >= count ? DONE : MORE;
                break;
            }
            if (p >= bl) {
                status = STOP;
                break;
            }
            long x = peek(b, p);
            int e = fast[(int) x & 0xfff];
            long np, ndl = dl, nm;
            if (e != 0) {
                np = p + (e & 0xff);
                nm = mm + (e >> 8);
            } else {
                // general timestamp code, then a decimal delta code (anything else: STOP)
                int kt = Math.min(Long.numberOfTrailingZeros(~x), Gorilla.TS_WIDTHS.length - 1);
                int wt = Gorilla.TS_WIDTHS[kt];
                long q = p + kt + 1;
                ndl += wt == 0 ? 0 : Gorilla.signed(peek(b, q), wt);
                q += wt;
                long y = peek(b, q);
                int kv = Long.numberOfTrailingZeros(~y);
                if (kv >= Gorilla.ESC) {
                    status = STOP;
                    break;
                }
                int wv = Gorilla.DEC_WIDTHS[kv];
                q += kv + 1;
                nm = mm + (wv == 0 ? 0 : Gorilla.signed(peek(b, q), wv));
                np = q + wv;
            }
            long nt = t + ndl;
            if (np > bl) {
                status = STOP;
                break;
            }
            if (nt > limit) {
                status = OVER;
                nextTs = nt;
                break;
            }
            p = np;
            dl = ndl;
            t = nt;
            mm = nm;
            if (k == 0) firstM = mm;
            sum += mm;
            lo = Math.min(lo, mm);
            hi = Math.max(hi, mm);
            k++;
            i++;
        }
        index = i;
        pos = p;
        delta = dl;
        ts = t;
        m = mm;
        n = k;
        sumM = sum;
        minM = lo;
        maxM = hi;
        lastM = mm;
        return status;
    }

    /**
     * After {@link #decodeAll}: the samples' integers m (values m / 10^scale) and, unless
     * the timestamps were {@link #regular}, their timestamps.
     */
    public long[] outTs = new long[1024], outM = new long[1024];

    /**
     * After {@link #decodeAll}: true if the chunk's timestamps are evenly spaced (its
     * REGULAR hint, checked while decoding); then sample k is at {@code firstTs + k * step}
     * and outTs was not filled.
     */
    public boolean regular;
    public long firstTs, step;

    /** The timestamp of sample k after {@link #decodeAll}. */
    public long tsAt(int k) {
        return regular ? firstTs + k * step : outTs[k];
    }

    // the slow path's result
    private long sp, st, sdl, sm;
    private int sd;

    /**
     * Decodes the whole chunk just opened into outTs/outM (sample 0 first, every m at the
     * chunk's last scale, {@link #scale()}) and returns the number of samples, or -1 if it
     * holds anything but decimal delta codes and scale changes (or its checkpoint or data
     * are inconsistent): then nothing is consumed and {@link #run} scans it as usual. When
     * the chunk has a checkpoint (see {@link Gorilla}) the two halves are decoded at once,
     * as two independent dependency chains; the first half must end exactly in the
     * checkpoint's state, so a wrong checkpoint is never trusted.
     */
    public int decodeAll() {
        if (index != 0) return -1;
        final int cnt = count;
        if (outTs.length < cnt) {
            outTs = new long[Math.max(cnt, outTs.length * 2)];
            outM = new long[outTs.length];
        }
        final long[] ot = outTs, om = outM;
        final byte[] bb = bytes;
        final int[] fast = FAST;
        final long bl = bitLimit;
        long c = chunk;
        // evenly spaced timestamps (the writer's hint): derived, not stored; a sample that
        // contradicts the hint ends the decode (-1), and the caller scans the general way
        final boolean noTs = (Mem.getByte(c + C_FLAGS) & Gorilla.FLAG_REGULAR) != 0;
        regular = false;
        ot[0] = ts;
        om[0] = m;
        long ckBit = Mem.getInt(c + C_CKPT_BIT) & 0xffffffffL;
        int ck = Mem.getInt(c + C_CKPT_INDEX);
        int ckScale = Mem.getUByte(c + C_CKPT_SCALE);
        if (ckBit == 0 || ckBit >= bl || ck <= 0 || ck >= cnt - 1 || ckScale < scale || ckScale > Gorilla.MAX_SCALE) {
            ck = cnt - 1; // no usable checkpoint: one chain
        }
        // chain A: samples 1..ck from the start; chain B: samples ck+1..cnt-1 from the checkpoint
        long pa = 0, ta = ts, dla = 0, ma = m;
        int da = scale, db = ckScale;
        long pb = ck == cnt - 1 ? bl : ckBit;
        long tb = Mem.getLong(c + C_CKPT_TS), dlb = Mem.getLong(c + C_CKPT_DELTA), mb = Mem.getLong(c + C_CKPT_M);
        int ia = 1, ib = ck + 1;
        int both = Math.min(ck, cnt - 1 - ck); // iterations with both chains running
        int k = 0;
        while (k < both) {
            if (Math.max(pa, pb) >= bl) return -1;
            if (k + GROUP <= both) {
                // four samples of each chain from one 8-byte load: a window of at least 57
                // valid bits in a register, shifted by each code's length (the entry's low
                // 6 bits: a long shift uses only those), so the dependency chain per sample
                // is a table lookup and a shift. A rare code (entry 0, the window then stays
                // put) anywhere in the group sends the group down the one-sample path.
                long wa = (long) LONGS.get(bb, (int) (pa >>> 3)) >>> (pa & 7);
                long wb = (long) LONGS.get(bb, (int) (pb >>> 3)) >>> (pb & 7);
                int a0 = fast[(int) wa & 0xfff];
                int b0 = fast[(int) wb & 0xfff];
                wa >>>= a0;
                wb >>>= b0;
                int a1 = fast[(int) wa & 0xfff];
                int b1 = fast[(int) wb & 0xfff];
                wa >>>= a1;
                wb >>>= b1;
                int a2 = fast[(int) wa & 0xfff];
                int b2 = fast[(int) wb & 0xfff];
                wa >>>= a2;
                wb >>>= b2;
                int a3 = fast[(int) wa & 0xfff];
                int b3 = fast[(int) wb & 0xfff];
                if (!((a0 == 0) | (a1 == 0) | (a2 == 0) | (a3 == 0) | (b0 == 0) | (b1 == 0) | (b2 == 0) | (b3 == 0))) {
                    long m0 = ma + (a0 >> 8), m1 = m0 + (a1 >> 8), m2 = m1 + (a2 >> 8), m3 = m2 + (a3 >> 8);
                    long n0 = mb + (b0 >> 8), n1 = n0 + (b1 >> 8), n2 = n1 + (b2 >> 8), n3 = n2 + (b3 >> 8);
                    om[ia] = m0;
                    om[ia + 1] = m1;
                    om[ia + 2] = m2;
                    om[ia + 3] = m3;
                    om[ib] = n0;
                    om[ib + 1] = n1;
                    om[ib + 2] = n2;
                    om[ib + 3] = n3;
                    if (!noTs) {
                        ot[ia] = ta + dla;
                        ot[ia + 1] = ta + 2 * dla;
                        ot[ia + 2] = ta + 3 * dla;
                        ot[ia + 3] = ta + 4 * dla;
                        ot[ib] = tb + dlb;
                        ot[ib + 1] = tb + 2 * dlb;
                        ot[ib + 2] = tb + 3 * dlb;
                        ot[ib + 3] = tb + 4 * dlb;
                    }
                    ta += 4 * dla;
                    tb += 4 * dlb;
                    ma = m3;
                    mb = n3;
                    pa += (a0 & 0xff) + (a1 & 0xff) + (a2 & 0xff) + (a3 & 0xff);
                    pb += (b0 & 0xff) + (b1 & 0xff) + (b2 & 0xff) + (b3 & 0xff);
                    ia += GROUP;
                    ib += GROUP;
                    k += GROUP;
                    continue;
                }
            }
            int ea = fast[(int) ((long) LONGS.get(bb, (int) (pa >>> 3)) >>> (pa & 7)) & 0xfff];
            int eb = fast[(int) ((long) LONGS.get(bb, (int) (pb >>> 3)) >>> (pb & 7)) & 0xfff];
            if (ea == 0 || eb == 0) {
                // a rare code in either chain: one sample of each, the general way
                if (!chain(pa, ta, dla, ma, da, 0, ia, ia + 1, noTs)) return -1;
                pa = sp;
                ta = st;
                dla = sdl;
                ma = sm;
                da = sd;
                if (!chain(pb, tb, dlb, mb, db, ck + 1, ib, ib + 1, noTs)) return -1;
                pb = sp;
                tb = st;
                dlb = sdl;
                mb = sm;
                db = sd;
            } else {
                pa += ea & 0xff;
                ma += ea >> 8;
                pb += eb & 0xff;
                mb += eb >> 8;
                ta += dla;
                tb += dlb;
                if (!noTs) {
                    ot[ia] = ta;
                    ot[ib] = tb;
                }
                om[ia] = ma;
                om[ib] = mb;
            }
            ia++;
            ib++;
            k++;
        }
        // the longer chain's rest
        if (!chain(pa, ta, dla, ma, da, 0, ia, ck + 1, noTs)) return -1;
        pa = sp;
        ta = st;
        dla = sdl;
        ma = sm;
        da = sd;
        if (!chain(pb, tb, dlb, mb, db, ck + 1, ib, cnt, noTs)) return -1;
        pb = sp;
        db = sd;
        if (pa > bl || pb > bl) return -1;
        if (ck < cnt - 1) {
            // chain A must have arrived exactly where chain B started
            if (pa != ckBit || da != ckScale || ta != Mem.getLong(c + C_CKPT_TS)
                    || dla != Mem.getLong(c + C_CKPT_DELTA) || ma != Mem.getLong(c + C_CKPT_M)) {
                return -1;
            }
            if (db != da && !rescale(om, 0, ck + 1, db - da)) return -1;
            da = db;
        }
        if (noTs) {
            if (cnt > 1 && dla <= 0) return -1; // not increasing: a corrupt chunk
            regular = true;
            firstTs = ot[0];
            step = cnt > 1 ? dla : 1;
        }
        scale = da;
        index = cnt; // consumed
        return cnt;
    }

    /** Multiplies m[from, to) by 10^k; false if one leaves the decimal range |m| &le; 2^50. */
    private static boolean rescale(long[] m, int from, int to, int k) {
        long f = (long) Gorilla.POW10[k];
        long lim = 1L << 50;
        for (int i = from; i < to; i++) {
            long x = m[i];
            if (Math.abs(x) > lim / f) return false;
            m[i] = x * f;
        }
        return true;
    }

    /**
     * Decodes samples [i, end) of one chain, which starts at sample lo, from the state
     * after sample i - 1 (bit p, timestamp t, delta dl, integer mm at scale d) into
     * outTs/outM (a scale change rescales the chain's samples before it); the state after
     * it in sp, st, sdl, sm, sd. False at anything but decimal delta codes and scale changes.
     * With noTs the timestamps are not stored, and a delta of delta other than 0 after
     * sample 1 is refused too.
     */
    private boolean chain(long p, long t, long dl, long mm, int d, int lo, int i, int end, boolean noTs) {
        final byte[] b = bytes;
        final long[] ot = outTs, om = outM;
        final int[] fast = FAST;
        final long bl = bitLimit;
        for (; i < end; i++) {
            if (p >= bl) return false;
            if (end - i >= GROUP) {
                // four fast codes from one load, as in decodeAll's two-chain loop (a chunk
                // without a usable checkpoint, or a chain's rest, decodes here)
                long w = (long) LONGS.get(b, (int) (p >>> 3)) >>> (p & 7);
                int e0 = fast[(int) w & 0xfff];
                w >>>= e0;
                int e1 = fast[(int) w & 0xfff];
                w >>>= e1;
                int e2 = fast[(int) w & 0xfff];
                w >>>= e2;
                int e3 = fast[(int) w & 0xfff];
                if (!((e0 == 0) | (e1 == 0) | (e2 == 0) | (e3 == 0))) {
                    long m0 = mm + (e0 >> 8), m1 = m0 + (e1 >> 8), m2 = m1 + (e2 >> 8), m3 = m2 + (e3 >> 8);
                    om[i] = m0;
                    om[i + 1] = m1;
                    om[i + 2] = m2;
                    om[i + 3] = m3;
                    if (!noTs) {
                        ot[i] = t + dl;
                        ot[i + 1] = t + 2 * dl;
                        ot[i + 2] = t + 3 * dl;
                        ot[i + 3] = t + 4 * dl;
                    }
                    t += 4 * dl;
                    mm = m3;
                    p += (e0 & 0xff) + (e1 & 0xff) + (e2 & 0xff) + (e3 & 0xff);
                    i += GROUP - 1;
                    continue;
                }
            }
            int e = fast[(int) peek(b, p) & 0xfff];
            if (e == 0) {
                if (!slow(b, p, dl, mm, d)) return false;
                if (noTs && i > 1 && sdl != dl) return false;
                p = sp;
                dl = sdl;
                mm = sm;
                if (sd != d) {
                    if (!rescale(om, lo, i, sd - d)) return false;
                    d = sd;
                }
            } else {
                p += e & 0xff;
                mm += e >> 8;
            }
            t += dl;
            if (!noTs) ot[i] = t;
            om[i] = mm;
        }
        sp = p;
        st = t;
        sdl = dl;
        sm = mm;
        sd = d;
        return true;
    }

    /**
     * One sample that is not a fast code: a general timestamp code, then a decimal delta
     * code, possibly after a scale change from d (into sp, sdl, sm, sd); false at anything else.
     */
    private boolean slow(byte[] b, long p, long dl, long mm, int d) {
        long x = peek(b, p);
        if ((x & 1) == 0) {
            // dod 0 with a long value code
            p += 1;
        } else {
            int kt = Math.min(Long.numberOfTrailingZeros(~x), Gorilla.TS_WIDTHS.length - 1);
            int wt = Gorilla.TS_WIDTHS[kt];
            if (kt == Gorilla.TS_WIDTHS.length - 1 && (x >>> kt & 1) != 0) return false; // reserved
            long q = p + kt + 1;
            dl += wt == 0 ? 0 : Gorilla.signed(peek(b, q), wt);
            p = q + wt;
        }
        if (p >= bitLimit) return false;
        long y = peek(b, p);
        int kv = Long.numberOfTrailingZeros(~y);
        if (kv > Gorilla.ESC) {
            // a scale change: d' (u4) above d, the reference rescaled, then a delta code
            int nd = (int) (y >>> (Gorilla.ESC + 1)) & 15;
            if (nd <= d || nd > Gorilla.MAX_SCALE) return false;
            long f = (long) Gorilla.POW10[nd - d];
            if (Math.abs(mm) > (1L << 50) / f) return false;
            mm *= f;
            d = nd;
            p += Gorilla.ESC + 5;
            if (p >= bitLimit) return false;
            y = peek(b, p);
            kv = Long.numberOfTrailingZeros(~y);
        }
        if (kv >= Gorilla.ESC) return false;
        int wv = Gorilla.DEC_WIDTHS[kv];
        p += kv + 1;
        mm += wv == 0 ? 0 : Gorilla.signed(peek(b, p), wv);
        sp = p + wv;
        sdl = dl;
        sm = mm;
        sd = d;
        return true;
    }

    /** A reader positioned at the next sample of this scan (after STOP), on the same chunk. */
    public ChunkReader resume(ChunkReader r) {
        r.reset(chunk);
        if (index > 0) r.resumeDecimal(index, pos, ts, delta, (double) m / Gorilla.POW10[scale], scale, m);
        return r;
    }

    private static long peek(byte[] b, long p) {
        int w = (int) (p >>> 6) << 3;
        int off = (int) p & 63;
        return ((long) LONGS.get(b, w) >>> off) | (((long) LONGS.get(b, w + 8) << 1) << (63 - off));
    }

}
