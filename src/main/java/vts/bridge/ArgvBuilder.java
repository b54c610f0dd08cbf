package vts.bridge;

import java.nio.charset.StandardCharsets;

import vts.mem.Mem;

/**
 * Builds the argv a write command replicates when it differs from the client's
 * (a concrete timestamp for "*", only the accepted TS.MADD samples). One native
 * array reused across commands; strings this builder creates are freed by {@link #replicate}.
 */
public final class ArgvBuilder {
    private long arr;
    private int cap, n;
    private long[] owned = new long[8];
    private int nOwned;
    private long ctx;

    private static final ArgvBuilder SHARED = new ArgvBuilder();

    /** The builder for the current command (commands run one at a time on the main thread). */
    public static ArgvBuilder start(long ctx) {
        ArgvBuilder b = SHARED;
        b.ctx = ctx;
        b.n = 0;
        b.nOwned = 0;
        return b;
    }

    /** Appends the client's argument i unchanged. */
    public ArgvBuilder arg(NativeArgs a, int i) {
        return push(a.vmString(i));
    }

    /** Appends a number as a new string. */
    public ArgvBuilder number(long v) {
        byte[] b = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
        return text(b);
    }

    public ArgvBuilder text(byte[] b) {
        long tmp = Mem.alloc(Math.max(1, b.length));
        try {
            Mem.copyFromArray(b, 0, tmp, b.length);
            long str = Api.createString(ctx, tmp, b.length);
            if (nOwned == owned.length) owned = java.util.Arrays.copyOf(owned, nOwned * 2);
            owned[nOwned++] = str;
            return push(str);
        } finally {
            Mem.free(tmp);
        }
    }

    private ArgvBuilder push(long str) {
        if (n == cap) {
            int ncap = Math.max(16, cap * 2);
            arr = arr == 0 ? Mem.alloc(8L * ncap) : Mem.realloc(arr, 8L * ncap);
            cap = ncap;
        }
        Mem.putLong(arr + 8L * n++, str);
        return this;
    }

    public int size() { return n; }

    /** Replicates cmd (a C string) with the collected arguments, then frees the created strings. */
    public void replicate(long cmdCstr) {
        try {
            if (n > 0) Api.replicate(ctx, cmdCstr, arr, n);
        } finally {
            for (int i = 0; i < nOwned; i++) Api.freeString(ctx, owned[i]);
            nOwned = 0;
            n = 0;
        }
    }
}
