package vts.bridge;

import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;

import vts.mem.Mem;

/**
 * Reply writing. Elements are encoded into one native buffer and handed to the shim in
 * batches ({@code native/reply.h}), which replays them through the module API: one
 * downcall per batch instead of one per element. A batch goes out when the buffer is full
 * and when the command ends ({@link #finish}); a command that fails before anything went
 * out has its partial reply dropped ({@link #discard}), so the client gets just the error.
 * Main thread only; nothing here allocates on the Java heap for numbers.
 */
public final class Reply {
    private Reply() {}

    // operation codes, as native/reply.h
    private static final int ARRAY = 1, MAP = 2, SET = 3, LONG = 4, DOUBLE = 5, BULK = 6, SIMPLE = 7, ERROR = 8,
            NULL = 9, SET_ARRAY_LEN = 10, SET_MAP_LEN = 11, PROTO = 12;

    /*
     * 16 KB (to stay in L1 between Java's writes and the shim's replay) measured no better,
     * and a postponed array can only get its length patched while it is in the unsent batch
     * (below): a large batch keeps whole replies of thousands of rows patchable.
     */
    private static final int CAPACITY = 1 << 18;
    private static final long BUF = Arena.global().allocate(CAPACITY, 16).address();
    private static int used;
    private static long bufCtx;
    /** Batches sent since {@link #begin}. */
    private static int sent;

    private static final int SCRATCH_SIZE = 1 << 16;
    /** Longest simple string or error (its operation must fit a batch). */
    private static final int TEXT_MAX = Math.min(SCRATCH_SIZE - 1, CAPACITY - 64);
    private static final long SCRATCH = Arena.global().allocate(SCRATCH_SIZE, 16).address();

    public static boolean resp3(long ctx) {
        return (Api.contextFlags(ctx) & Api.CTX_FLAGS_RESP3) != 0;
    }

    public static void integer(long ctx, long v) { number(ctx, LONG, v); }
    public static void array(long ctx, long n) { collection(ctx, ARRAY, n); }
    public static void map(long ctx, long n) { collection(ctx, MAP, n); }
    public static void set(long ctx, long n) { number(ctx, SET, n); }
    /** Sets the length of the innermost array opened with length -1. */
    public static void setArrayLength(long ctx, long n) { setLength(ctx, SET_ARRAY_LEN, n); }
    public static void setMapLength(long ctx, long n) { setLength(ctx, SET_MAP_LEN, n); }

    /*
     * Postponed lengths. The server writes an array of unknown length into a reply node of
     * its own, and everything after it into further nodes instead of the client's buffer
     * (then copies to fix the header): for a small reply that costs more than the elements.
     * While an array opened with -1 is still in the unsent batch, setting its length writes
     * the length into its operation instead, so the server sees an array of known length
     * (the same bytes reach the client). The stack holds the batch offset of each postponed
     * array still open, with the number of the batch it is in.
     */
    private static long[] postponed = new long[16];
    private static int npostponed;
    /** Batches sent so far (numbers the batch being filled). */
    private static int batchNo;

    private static void collection(long ctx, int code, long n) {
        long p = op(ctx, code, 0, 8);
        Mem.putLong(p, n);
        if (n != -1) return;
        if (npostponed == postponed.length) postponed = java.util.Arrays.copyOf(postponed, npostponed * 2);
        postponed[npostponed++] = ((long) batchNo << 32) | (p - BUF);
    }

    private static void setLength(long ctx, int code, long n) {
        if (npostponed > 0) {
            long e = postponed[--npostponed];
            if (ctx == bufCtx && (int) (e >>> 32) == batchNo) {
                Mem.putLong(BUF + (int) e, n); // still unsent: becomes an array of known length
                return;
            }
        }
        number(ctx, code, n);
    }

    public static void nul(long ctx) { op(ctx, NULL, 0, 0); }

    public static void ok(long ctx) { simple(ctx, "OK"); }

    /** A constant C string that lives as long as the process. */
    public static long cstring(String s) {
        return Arena.global().allocateFrom(s).address();
    }

    public static void simple(long ctx, String s) { text(ctx, SIMPLE, s); }

    public static void error(long ctx, String s) {
        // an error reply is one line: the server rejects \r and \n inside it
        text(ctx, ERROR, s.replace('\r', ' ').replace('\n', ' '));
    }

    public static void bulk(long ctx, byte[] b) {
        long p = op(ctx, BULK, b.length, b.length);
        if (p != 0) {
            Mem.copyFromArray(b, 0, p, b.length);
            return;
        }
        long batch = bigBulk(b.length); // larger than a batch: a batch of its own
        try {
            Mem.copyFromArray(b, 0, batch + 8, b.length);
            sendAlone(ctx, batch);
        } finally {
            Mem.free(batch);
        }
    }

    public static void bulk(long ctx, String s) { bulk(ctx, s.getBytes(StandardCharsets.UTF_8)); }

    /** A bulk string of len bytes at native address ptr. */
    public static void bulkNative(long ctx, long ptr, long len) {
        long p = len <= CAPACITY ? op(ctx, BULK, (int) len, (int) len) : 0;
        if (p != 0) {
            Mem.copy(ptr, p, len);
            return;
        }
        long batch = bigBulk(len);
        try {
            Mem.copy(ptr, batch + 8, len);
            sendAlone(ctx, batch);
        } finally {
            Mem.free(batch);
        }
    }

    /** A sample value: a double in RESP3, the shortest round-trip text as a simple string in RESP2. */
    public static void value(long ctx, double v, boolean resp3) {
        if (resp3) {
            number(ctx, DOUBLE, Double.doubleToRawLongBits(v));
            return;
        }
        // format in place, then fix the length field
        long p = op(ctx, SIMPLE, 0, 32);
        int n = DoubleFormat.write(v, p);
        Mem.putInt(p - 4, n);
        used -= 32 - pad(n + 1);
    }

    /**
     * One row of a range, [ts, value], with the value as {@link #value} writes it. In RESP2,
     * rows after the first of a run are written as protocol text into one PROTO operation
     * (native/reply.h; {@link Raw}): the server then takes a run of rows in one call instead of five
     * calls per row. The bytes the client gets are the same.
     */
    public static void sample(long ctx, long ts, double v, boolean resp3) {
        sample(ctx, ts, v, 0, -1, resp3);
    }

    /** {@link #sample} of v = m / 10^decimals (decimals &ge; 0; any v if -1), as a decimal chunk decodes it. */
    public static void sample(long ctx, long ts, double v, long m, int decimals, boolean resp3) {
        if (resp3 || !Raw.ON) {
            array(ctx, 2);
            integer(ctx, ts);
            value(ctx, v, resp3);
            return;
        }
        if (run == 0 || ctx != bufCtx || used + ROW_MAX > CAPACITY) {
            // a new run: the row's array and timestamp as operations, its value opens the text
            if (used + 3 * 16 + 8 + ROW_MAX > CAPACITY) flush();
            array(ctx, 2);
            integer(ctx, ts);
            long h = op(ctx, PROTO, 0, 0);
            run = h - 8;
            used = (int) (ReplyText.value(h, v, m, decimals) - BUF);
            return;
        }
        used = (int) (ReplyText.row(BUF + used, ts, v, m, decimals) - BUF);
    }

    /**
     * Whether this server writes a simple string's text as it is (PROTO runs); false with
     * -Dvts.rawReplies=false (tests compare both), or on a server version not known to.
     */
    private static final class Raw {
        // a holder: Reply is first used before the module API is reachable (Bridge's constants)
        static final boolean ON = allowed();

        private static boolean allowed() {
            if (!Boolean.parseBoolean(System.getProperty("vts.rawReplies", "true"))) return false;
            int major = Api.serverVersion() >>> 16;
            return major >= 7 && major <= 9; // ReplyWithSimpleString: '+', text, CRLF, unchecked
        }
    }

    /** The PROTO operation being filled (the batch's last, unpadded), or 0. */
    private static long run;
    /** Room one row may take in a run, then padding. */
    private static final int ROW_MAX = ReplyText.ROW_MAX + 8;

    /** Ends the open PROTO operation: its length, then padding. */
    private static void closeRun() {
        Mem.putInt(run + 4, (int) (BUF + used - run - 8));
        used = pad(used);
        run = 0;
    }

    // ------------------------------------------------------------------ batches

    /**
     * Starts a command's reply (the bridge calls it before each command); returns the
     * state of a command this one runs inside (a module calling us), for {@link #end}.
     */
    static int begin() {
        flush(); // an outer command's elements go out first
        int outer = sent;
        sent = 0;
        if (nlevels == levelBase.length) levelBase = java.util.Arrays.copyOf(levelBase, nlevels * 2);
        levelBase[nlevels++] = npostponed;
        return outer;
    }

    static void end(int outer) {
        sent = outer;
        npostponed = levelBase[--nlevels]; // a failed command may leave arrays open
    }

    /** {@link #npostponed} when each running command (outermost first) began. */
    private static int[] levelBase = new int[8];
    private static int nlevels;

    /** Sends what is buffered (the bridge calls it after each command). */
    static void finish() {
        flush();
    }

    /**
     * Drops the buffered reply of a failed command if none of it was sent yet; returns
     * whether it could (else what is buffered is sent, and the error follows it).
     */
    static boolean discard() {
        if (sent == 0) {
            run = 0;
            used = 0;
            if (nlevels > 0) npostponed = levelBase[nlevels - 1];
            return true;
        }
        try {
            flush();
        } catch (RuntimeException e) {
            run = 0;
            used = 0;
        }
        return false;
    }

    private static void flush() {
        if (run != 0) closeRun();
        if (used == 0) return;
        int n = used;
        used = 0;
        sent++;
        batchNo++;
        if (Api.replyBatch(bufCtx, BUF, n) < 0) throw new IllegalStateException("malformed reply batch");
    }

    private static int pad(int n) { return (n + 7) & ~7; }

    /**
     * Reserves an operation with room for size payload bytes and returns the payload's
     * address, or 0 if it can never fit a batch.
     */
    private static long op(long ctx, int code, int n, int size) {
        if (run != 0) closeRun();
        int need = 8 + pad(size);
        if (need > CAPACITY) return 0;
        if (ctx != bufCtx) {
            flush();
            bufCtx = ctx;
        }
        if (used + need > CAPACITY) flush();
        long p = BUF + used;
        Mem.putInt(p, code);
        Mem.putInt(p + 4, n);
        used += need;
        return p + 8;
    }

    private static void number(long ctx, int code, long v) {
        Mem.putLong(op(ctx, code, 0, 8), v);
    }

    private static void text(long ctx, int code, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(b.length, TEXT_MAX); // a status line is short; cut anything absurd
        long p = op(ctx, code, n, n + 1);
        Mem.copyFromArray(b, 0, p, n);
        Mem.putByte(p + n, (byte) 0);
    }

    /** A one-operation batch for a bulk string of len bytes (payload at +8); free it. */
    private static long bigBulk(long len) {
        if (len > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("reply element too large");
        long batch = Mem.alloc(8 + pad((int) len));
        Mem.putInt(batch, BULK);
        Mem.putInt(batch + 4, (int) len);
        return batch;
    }

    /** Sends what is buffered, then the batch of {@link #bigBulk}. */
    private static void sendAlone(long ctx, long batch) {
        flush();
        sent++;
        if (Api.replyBatch(ctx, batch, 8 + pad(Mem.getInt(batch + 4))) < 0) {
            throw new IllegalStateException("malformed reply batch");
        }
    }

    /** Copies s into the scratch buffer as a NUL-terminated string (truncated if huge); for logging. */
    static long scratch(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(b.length, SCRATCH_SIZE - 1);
        Mem.copyFromArray(b, 0, SCRATCH, n);
        Mem.putByte(SCRATCH + n, (byte) 0);
        return SCRATCH;
    }
}
