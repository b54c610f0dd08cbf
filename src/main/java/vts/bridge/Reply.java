package vts.bridge;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import vts.mem.Mem;

/**
 * Reply writing on top of {@link Api}. Strings go through one native scratch buffer
 * (the server copies them), so replying allocates nothing on the Java heap for numbers.
 */
public final class Reply {
    private Reply() {}

    private static final int SCRATCH_SIZE = 1 << 16;
    private static final long SCRATCH = Arena.global().allocate(SCRATCH_SIZE, 16).address();
    private static final long NUMBER = SCRATCH; // the first 64 bytes hold formatted numbers

    public static boolean resp3(long ctx) {
        return (Api.contextFlags(ctx) & Api.CTX_FLAGS_RESP3) != 0;
    }

    public static void integer(long ctx, long v) { Api.replyLong(ctx, v); }
    public static void array(long ctx, long n) { Api.replyArray(ctx, n); }
    public static void map(long ctx, long n) { Api.replyMap(ctx, n); }
    public static void set(long ctx, long n) { Api.replySet(ctx, n); }
    public static void nul(long ctx) { Api.replyNull(ctx); }

    public static void ok(long ctx) { Api.replySimple(ctx, OK); }

    private static final long OK = cstring("OK");

    /** A constant C string that lives as long as the process. */
    public static long cstring(String s) {
        return Arena.global().allocateFrom(s).address();
    }

    public static void simple(long ctx, String s) {
        Api.replySimple(ctx, scratch(s));
    }

    public static void error(long ctx, String s) {
        // an error reply is one line: the server rejects \r and \n inside it
        Api.replyError(ctx, scratch(s.replace('\r', ' ').replace('\n', ' ')));
    }

    public static void bulk(long ctx, byte[] b) {
        if (b.length <= SCRATCH_SIZE) {
            Mem.copyFromArray(b, 0, SCRATCH, b.length);
            Api.replyBuffer(ctx, SCRATCH, b.length);
        } else {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment seg = a.allocate(b.length);
                MemorySegment.copy(b, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
                Api.replyBuffer(ctx, seg.address(), b.length);
            }
        }
    }

    public static void bulk(long ctx, String s) { bulk(ctx, s.getBytes(StandardCharsets.UTF_8)); }

    public static void bulkNative(long ctx, long ptr, long len) { Api.replyBuffer(ctx, ptr, len); }

    /** A sample value: a double in RESP3, the shortest round-trip text as a simple string in RESP2. */
    public static void value(long ctx, double v, boolean resp3) {
        if (resp3) {
            Api.replyDouble(ctx, v);
        } else {
            DoubleFormat.write(v, NUMBER);
            Api.replySimple(ctx, NUMBER);
        }
    }

    /** Copies s into the scratch buffer as a NUL-terminated string (truncated if huge). */
    static long scratch(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(b.length, SCRATCH_SIZE - 1);
        Mem.copyFromArray(b, 0, SCRATCH, n);
        Mem.putByte(SCRATCH + n, (byte) 0);
        return SCRATCH;
    }
}
