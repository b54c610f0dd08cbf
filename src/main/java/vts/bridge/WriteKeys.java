package vts.bridge;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import vts.mem.Mem;

/**
 * The keys of a write command, opened and closed in batches (native/write.c): TS.MADD opens
 * the keys of all its triples in one call and closes them (with their keyspace events and
 * TS.READ wake-ups) in another, instead of six trips into C per triple. Slots are indexed
 * by write number. One instance, used on the main thread only; its native arrays grow to
 * the largest batch seen and are kept.
 */
public final class WriteKeys {
    /** Set by {@link Bridge#init}. */
    static final class Source {
        private Source() {}
        static long openFn, closeFn;
    }

    /** The series slot of a key that holds another type. */
    public static final long OTHER_TYPE = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    // ordinary downcalls: opening may expire a key (its unlink callback runs in Java)
    private static final MethodHandle OPEN = LINKER.downcallHandle(MemorySegment.ofAddress(Source.openFn),
            FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(MemorySegment.ofAddress(Source.closeFn),
            FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));

    /** One instance per nesting depth (a write inside a write is not expected, but stays correct). */
    private static WriteKeys[] pool = new WriteKeys[2];
    private static int depth;

    private int cap;
    /** int64 keys[cap], int64 series[cap], int32 args[cap], uint8 notify[cap] in one block */
    private long block, args, keys, series, notify;
    private int n;

    private WriteKeys() {}

    /** A batch of count writes, every slot skipped; {@link #release} it when done. */
    public static WriteKeys acquire(int count) {
        if (depth == pool.length) pool = java.util.Arrays.copyOf(pool, depth * 2);
        WriteKeys w = pool[depth];
        if (w == null) w = pool[depth] = new WriteKeys();
        depth++;
        return w.start(count);
    }

    /** Batches up to this size keep their native arrays for the next command. */
    private static final int KEEP = 4096;

    /** Gives the batch back (its keys must be closed); the arrays of a very large one are freed. */
    public void release() {
        depth--;
        if (cap > KEEP) {
            Mem.free(block);
            block = 0;
            cap = 0;
        }
    }

    private WriteKeys start(int count) {
        if (count > cap) {
            int c = Math.max(count, Math.max(16, cap * 2));
            long b = Mem.alloc(c * 21L);
            Mem.free(block);
            block = b;
            cap = c;
            keys = b;
            series = b + 8L * c;
            args = b + 16L * c;
            notify = b + 20L * c;
        }
        n = count;
        Mem.fill(args, 4L * count, (byte) 0xff);
        Mem.fill(notify, count, (byte) 0);
        return this;
    }

    /** Write i's key is argv[arg]. */
    public void key(int i, int arg) { Mem.putInt(args + 4L * i, arg); }

    /** Opens every key set with {@link #key}. */
    public void open(long ctx, NativeArgs a) {
        try {
            OPEN.invokeExact(ctx, a.argv(), args, n, Bridge.moduleType, keys, series);
        } catch (Throwable t) {
            throw Bridge.unchecked(t);
        }
    }

    /** The open key of write i: only an empty key stays open (0 if skipped or if it holds a value). */
    public long keyAt(int i) { return Mem.getLong(keys + 8L * i); }

    /** The series of write i: its address, 0 for an empty key, {@link #OTHER_TYPE}. */
    public long seriesAt(int i) { return Mem.getLong(series + 8L * i); }

    /** Write i changed its series: close sends its keyspace event and wakes its readers. */
    public void changed(int i) { Mem.putByte(notify + i, (byte) 1); }

    /** Closes the keys of writes [from, to), with the events of those that changed. */
    public void close(long ctx, NativeArgs a, int from, int to, long eventCstr) {
        if (from >= to) return;
        try {
            CLOSE.invokeExact(ctx, a.argv(), args, from, to, keys, notify, eventCstr);
        } catch (Throwable t) {
            throw Bridge.unchecked(t);
        }
    }
}
