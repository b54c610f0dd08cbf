package vts.bridge;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import vts.command.TsException;
import vts.mem.Mem;

/**
 * The key of a single-key read (TS.GET) in one trip into C (native/read.c): the context's
 * flags, OpenKey for reading, the type checks, the series and CloseKey, instead of six
 * downcalls. The series stays valid while the command runs. Main thread only.
 */
public final class ReadKeys {
    private ReadKeys() {}

    /** Set by {@link Bridge#init}. */
    static final class Source {
        private Source() {}
        static long readFn;
    }

    // an ordinary downcall: opening may expire the key (its unlink callback runs in Java)
    private static final MethodHandle READ = Linker.nativeLinker().downcallHandle(
            MemorySegment.ofAddress(Source.readFn),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final long FLAGS = Arena.global().allocate(JAVA_INT).address();

    /**
     * The series at argv[i] (opened for reading and closed again), 0 if the key is empty;
     * throws WRONGTYPE for another type. Afterwards {@link #resp3} tells the reply protocol.
     */
    public static long series(long ctx, NativeArgs a, int i) {
        long s;
        try {
            s = (long) READ.invokeExact(ctx, a.vmString(i), Bridge.moduleType, FLAGS);
        } catch (Throwable t) {
            throw Bridge.unchecked(t);
        }
        if (s == 1) throw new TsException(Keys.WRONGTYPE);
        return s;
    }

    /** {@link #series}, with an empty key as "the key does not exist". */
    public static long existing(long ctx, NativeArgs a, int i) {
        long s = series(ctx, a, i);
        if (s == 0) throw TsException.tsdb("the key does not exist");
        return s;
    }

    /** Whether the client of the last {@link #series} call speaks RESP3. */
    public static boolean resp3() {
        return (Mem.getInt(FLAGS) & Api.CTX_FLAGS_RESP3) != 0;
    }
}
