package vts.compaction;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import vts.mem.Mem;
import vts.query.Agg;
import vts.series.Layout;
import vts.series.Series;

/**
 * The compaction-rule blob of a source series (the {@code rules} field of the series
 * header, saved and restored byte for byte by the C persistence: RDB, AOF rewrite,
 * DUMP/RESTORE, COPY). This format is on disk: change it only with a new version.
 *
 * <pre>
 * version 1, little endian
 *   header   u8  version (= 1)
 *            u8  reserved[3] (0)
 *            u32 count                number of rules (also in the header's nrules)
 *   count records, each:
 *     +0     i64 openBucket           start of the newest bucket a source write touched since
 *                                     the rule was created; Long.MIN_VALUE = none yet
 *     +8     i64 bucketDuration       ms, &gt; 0
 *     +16    i64 alignTimestamp       ms, &ge; 0
 *     +24    u32 destLen
 *     +28    u16 aggLen
 *     +30    u16 flags                bit 0: the running state below holds the open bucket
 *                                     (otherwise it is recomputed from the source at close)
 *     +32    i64 openFirstValue       timestamp of the open bucket's first non-NaN sample as far
 *                                     as known, Long.MAX_VALUE = none known (twa bookkeeping:
 *                                     never below the true one; MAX_VALUE is always safe)
 *     +40    i64 sourceLast           the source's last timestamp after the last write the
 *                                     rule saw; Long.MIN_VALUE = the source was empty,
 *                                     Long.MAX_VALUE = unknown
 *     +48    i64 count                running state: non-NaN samples of the open bucket
 *     +56    i64 nanCount             running state: NaN samples of the open bucket
 *     +64    i64 firstTs              running state: the open bucket's first sample
 *     +72    6 x 8 bytes slots        running state of the aggregator ({@link Running})
 *     +120   destLen bytes            destination key name
 *            aggLen bytes             aggregator wire name, ASCII ("avg", "std.p", "p99.9")
 * </pre>
 *
 * A closed bucket's value comes from the running state when that is valid (in-order
 * writes since the bucket's first sample), else it is computed again from the source's
 * samples; a bucket is computed again from the source whenever a write or TS.DEL touches
 * it after it closed. Everything from +30 on is per-rule state updated in place
 * on the hot path (with {@link #setOpenBucket}); everything else rewrites the blob, which
 * drops the running states (their open buckets are recomputed at close).
 */
public final class RuleBlob {
    private RuleBlob() {}

    public static final int VERSION = 1;
    public static final long NO_BUCKET = Long.MIN_VALUE;
    static final int HEADER = 8;
    static final int R_OPEN = 0, R_DURATION = 8, R_ALIGN = 16, R_DEST_LEN = 24, R_AGG_LEN = 28, R_FLAGS = 30,
            R_FIRST_VALUE = 32, R_SRC_LAST = 40, R_N = 48, R_NAN = 56, R_FIRST_TS = 64, R_SLOTS = 72;
    static final int SLOTS = 6;
    static final int REC_FIXED = R_SLOTS + 8 * SLOTS;
    static final int F_RUNNING = 1;
    public static final long NO_VALUE = Long.MAX_VALUE;
    /** sourceLast: the source was empty / is not known. */
    static final long SRC_EMPTY = Long.MIN_VALUE, SRC_UNKNOWN = Long.MAX_VALUE;

    // ---------------------------------------------------------------- byte[] form

    public static byte[] encode(List<Rule> rules) {
        int size = HEADER;
        for (Rule r : rules) size += REC_FIXED + r.dest().length + r.agg().name().length();
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) VERSION).put((byte) 0).put((byte) 0).put((byte) 0).putInt(rules.size());
        for (Rule r : rules) {
            byte[] agg = r.agg().name().getBytes(StandardCharsets.US_ASCII);
            b.putLong(r.openBucket()).putLong(r.bucketDuration()).putLong(r.alignTimestamp());
            b.putInt(r.dest().length).putShort((short) agg.length).putShort((short) 0).putLong(NO_VALUE);
            b.putLong(SRC_UNKNOWN).putLong(0).putLong(0).putLong(0);
            for (int k = 0; k < SLOTS; k++) b.putLong(0);
            b.put(r.dest()).put(agg);
        }
        return b.array();
    }

    /** The rules of a blob; throws IllegalArgumentException for a malformed or unknown one. */
    public static List<Rule> decode(byte[] blob) {
        if (blob == null || blob.length == 0) return List.of();
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int version = b.get() & 0xff;
            if (version != VERSION) throw new IllegalArgumentException("unknown rules blob version " + version);
            b.position(4);
            int n = b.getInt();
            if (n < 0 || n > blob.length / REC_FIXED) throw new IllegalArgumentException("bad rule count " + n);
            List<Rule> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long open = b.getLong();
                long dur = b.getLong();
                long align = b.getLong();
                int destLen = b.getInt();
                int aggLen = b.getShort() & 0xffff;
                b.getShort();
                b.position(b.position() + REC_FIXED - 32); // per-rule state, not part of the rule
                if (destLen < 0 || destLen > b.remaining()) throw new IllegalArgumentException("bad dest length");
                byte[] dest = new byte[destLen];
                b.get(dest);
                byte[] aggName = new byte[aggLen];
                b.get(aggName);
                Agg agg = Agg.parse(new String(aggName, StandardCharsets.US_ASCII));
                if (agg == null || dur <= 0) throw new IllegalArgumentException("bad rule " + i);
                out.add(new Rule(dest, agg, dur, align, open));
            }
            if (b.hasRemaining()) throw new IllegalArgumentException("trailing bytes in rules blob");
            return out;
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated rules blob", e);
        }
    }

    // ---------------------------------------------------------------- on a series

    /** The rules of series s (empty if none). */
    public static List<Rule> read(long s) {
        if (Series.ruleCount(s) == 0) return List.of();
        return decode(Series.rules(s));
    }

    /** Replaces the rules of s (none: the blob is dropped). */
    public static void write(long s, List<Rule> rules) {
        if (rules.isEmpty()) Series.setRules(s, null, 0);
        else Series.setRules(s, encode(rules), rules.size());
        long last = Series.totalSamples(s) == 0 ? SRC_EMPTY : Series.lastTs(s);
        for (int i = 0; i < rules.size(); i++) setSourceLast(record(s, i), last);
    }

    /** Index of the rule of s whose destination is dest, or -1. */
    public static int indexOf(List<Rule> rules, byte[] dest) {
        for (int i = 0; i < rules.size(); i++) {
            if (Arrays.equals(rules.get(i).dest(), dest)) return i;
        }
        return -1;
    }

    // ---------------------------------------------------------------- in place (hot path)

    /** Address of rule i's record in s's blob (i &lt; ruleCount). */
    static long record(long s, int i) {
        long a = Mem.getLong(s + Layout.S_RULES) + HEADER;
        for (int k = 0; k < i; k++) a += REC_FIXED + Mem.getInt(a + R_DEST_LEN) + (Mem.getShort(a + R_AGG_LEN) & 0xffff);
        return a;
    }

    static long openBucket(long rec) { return Mem.getLong(rec + R_OPEN); }
    static void setOpenBucket(long rec, long b) { Mem.putLong(rec + R_OPEN, b); }
    static long openFirstValue(long rec) { return Mem.getLong(rec + R_FIRST_VALUE); }
    static void setOpenFirstValue(long rec, long ts) { Mem.putLong(rec + R_FIRST_VALUE, ts); }

    static long sourceLast(long rec) { return Mem.getLong(rec + R_SRC_LAST); }
    static void setSourceLast(long rec, long ts) { Mem.putLong(rec + R_SRC_LAST, ts); }

    static long duration(long rec) { return Mem.getLong(rec + R_DURATION); }
    static long align(long rec) { return Mem.getLong(rec + R_ALIGN); }
    static long destPtr(long rec) { return rec + REC_FIXED; }
    static int destLen(long rec) { return Mem.getInt(rec + R_DEST_LEN); }

    static byte[] dest(long rec) {
        byte[] d = new byte[destLen(rec)];
        Mem.copyToArray(destPtr(rec), d, 0, d.length);
        return d;
    }

    static Agg agg(long rec) {
        int n = Mem.getShort(rec + R_AGG_LEN) & 0xffff;
        byte[] b = new byte[n];
        Mem.copyToArray(destPtr(rec) + destLen(rec), b, 0, n);
        return Agg.parse(new String(b, StandardCharsets.US_ASCII));
    }

    /** True if the native bytes at (p, n) equal key. */
    static boolean nativeEquals(long p, int n, byte[] key) {
        if (n != key.length) return false;
        for (int i = 0; i < n; i++) {
            if (Mem.getByte(p + i) != key[i]) return false;
        }
        return true;
    }

    /** True if the native bytes at (p, n) equal the native bytes at (key, keyLen). */
    static boolean nativeEquals(long p, int n, long key, int keyLen) {
        if (n != keyLen) return false;
        for (int i = 0; i < n; i++) {
            if (Mem.getByte(p + i) != Mem.getByte(key + i)) return false;
        }
        return true;
    }
}
