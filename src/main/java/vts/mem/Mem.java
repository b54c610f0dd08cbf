package vts.mem;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Native memory access by absolute address, and the allocator behind it.
 *
 * One segment spanning the address space lets hot paths read and write native
 * memory without creating a MemorySegment per access. Callers keep every access
 * inside blocks they allocated; the layout classes hold the offsets.
 *
 * Inside valkey-server the allocator is the module allocator (DESIGN rule 3);
 * without a server (unit tests, benchmarks) it falls back to libc.
 */
public final class Mem {
    private Mem() {}

    public static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    public static long getLong(long addr) { return ALL.get(LONG, addr); }
    public static void putLong(long addr, long v) { ALL.set(LONG, addr, v); }
    public static int getInt(long addr) { return ALL.get(INT, addr); }
    public static void putInt(long addr, int v) { ALL.set(INT, addr, v); }
    public static short getShort(long addr) { return ALL.get(SHORT, addr); }
    public static void putShort(long addr, short v) { ALL.set(SHORT, addr, v); }
    public static double getDouble(long addr) { return ALL.get(DOUBLE, addr); }
    public static void putDouble(long addr, double v) { ALL.set(DOUBLE, addr, v); }
    public static byte getByte(long addr) { return ALL.get(BYTE, addr); }
    public static void putByte(long addr, byte v) { ALL.set(BYTE, addr, v); }
    public static int getUByte(long addr) { return ALL.get(BYTE, addr) & 0xff; }

    public static void copy(long src, long dst, long len) {
        MemorySegment.copy(ALL, src, ALL, dst, len);
    }

    public static void fill(long addr, long len, byte v) {
        ALL.asSlice(addr, len).fill(v);
    }

    public static void copyToArray(long src, byte[] dst, int off, int len) {
        MemorySegment.copy(ALL, BYTE, src, dst, off, len);
    }

    public static void copyFromArray(byte[] src, int off, long dst, int len) {
        MemorySegment.copy(src, off, ALL, BYTE, dst, len);
    }

    // ---- allocator ----

    /**
     * Addresses of the module allocator's functions, set by the bridge before this
     * class is first used; zero means libc (no server around).
     */
    public static final class Source {
        private Source() {}
        public static long allocFn, callocFn, reallocFn, freeFn;
        /** size_t usable(void *ptr) of the same allocator; zero when it has none. */
        public static long usableFn;
    }

    // static final so that the JIT binds the downcalls as constants
    private static final MethodHandle ALLOC, CALLOC, REALLOC, FREE;
    /** null when the module allocator cannot report usable sizes */
    private static final MethodHandle USABLE;
    private static final boolean MODULE_ALLOCATOR = Source.allocFn != 0;

    static {
        Linker linker = Linker.nativeLinker();
        var lookup = linker.defaultLookup();
        MemorySegment a, c, r, f, u;
        if (MODULE_ALLOCATOR) {
            a = MemorySegment.ofAddress(Source.allocFn);
            c = MemorySegment.ofAddress(Source.callocFn);
            r = MemorySegment.ofAddress(Source.reallocFn);
            f = MemorySegment.ofAddress(Source.freeFn);
            u = Source.usableFn == 0 ? null : MemorySegment.ofAddress(Source.usableFn);
        } else {
            a = lookup.find("malloc").orElseThrow();
            c = lookup.find("calloc").orElseThrow();
            r = lookup.find("realloc").orElseThrow();
            f = lookup.find("free").orElseThrow();
            u = lookup.find("malloc_usable_size").orElse(null);
        }
        var crit = Linker.Option.critical(false);
        ALLOC = linker.downcallHandle(a, FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), crit);
        CALLOC = linker.downcallHandle(c, FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), crit);
        REALLOC = linker.downcallHandle(r, FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), crit);
        FREE = linker.downcallHandle(f, FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG), crit);
        USABLE = u == null ? null
                : linker.downcallHandle(u, FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), crit);
    }

    public static boolean usingModuleAllocator() { return MODULE_ALLOCATOR; }

    /** Allocates size bytes; the module allocator aborts the server on failure, libc's returns 0. */
    public static long alloc(long size) {
        try {
            long p = (long) ALLOC.invokeExact(size);
            if (p == 0) throw new OutOfMemoryError("native allocation of " + size + " bytes failed");
            return p;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long calloc(long size) {
        try {
            long p = (long) CALLOC.invokeExact(1L, size);
            if (p == 0) throw new OutOfMemoryError("native allocation of " + size + " bytes failed");
            return p;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long realloc(long ptr, long size) {
        try {
            long p = (long) REALLOC.invokeExact(ptr, size);
            if (p == 0) throw new OutOfMemoryError("native allocation of " + size + " bytes failed");
            return p;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void free(long ptr) {
        if (ptr == 0) return;
        try {
            FREE.invokeExact(ptr);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Usable size of the block at ptr (at least the size it was allocated with; the
     * caller may use all of it), or 0 when the allocator cannot tell.
     */
    public static long usableSize(long ptr) {
        if (USABLE == null || ptr == 0) return 0;
        try {
            return (long) USABLE.invokeExact(ptr);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
