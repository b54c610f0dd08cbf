package vts.series;

import static org.junit.jupiter.api.Assertions.*;
import static vts.series.Layout.*;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vts.mem.Mem;

/**
 * No native leaks: a child JVM runs a workload of adds (every policy, out of order),
 * deletes, retention, labels, copies and frees with a counting allocator installed as
 * the "module allocator" (Mem.Source), and reports the blocks still live.
 */
class LeakTest {
    static final String COUNTING = """
            #include <stdlib.h>
            #include <stdatomic.h>
            static atomic_long live;
            void *cnt_malloc(size_t n) { void *p = malloc(n); if (p) atomic_fetch_add(&live, 1); return p; }
            void *cnt_calloc(size_t k, size_t n) { void *p = calloc(k, n); if (p) atomic_fetch_add(&live, 1); return p; }
            void *cnt_realloc(void *o, size_t n) { void *p = realloc(o, n); if (p && !o) atomic_fetch_add(&live, 1); return p; }
            void cnt_free(void *p) { if (p) { atomic_fetch_sub(&live, 1); free(p); } }
            long cnt_live(void) { return atomic_load(&live); }
            """;

    @Test
    void workloadFreesEverything(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Gcc.available(), "gcc is not installed: native leaks were NOT checked");
        Path so = Gcc.compile(dir, "libcount.so", COUNTING, "-shared", "-fPIC");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Gcc.Result r = Gcc.run(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), so.toString()));
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("module allocator: true"), r.out());
        assertTrue(r.out().contains("live after work: 0\n"), r.out());
    }

    /** The child process: installs the counting allocator before Mem is initialised. */
    public static final class Child {
        public static void main(String[] args) throws Throwable {
            SymbolLookup lib = SymbolLookup.libraryLookup(Path.of(args[0]), Arena.global());
            Mem.Source.allocFn = lib.find("cnt_malloc").orElseThrow().address();
            Mem.Source.callocFn = lib.find("cnt_calloc").orElseThrow().address();
            Mem.Source.reallocFn = lib.find("cnt_realloc").orElseThrow().address();
            Mem.Source.freeFn = lib.find("cnt_free").orElseThrow().address();
            MethodHandle live = Linker.nativeLinker().downcallHandle(lib.find("cnt_live").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG));
            System.out.println("module allocator: " + Mem.usingModuleAllocator());
            long peak = 0;
            SplittableRandom r = new SplittableRandom(5);
            int[] policies = {DUP_BLOCK, DUP_FIRST, DUP_LAST, DUP_MIN, DUP_MAX, DUP_SUM};
            for (int enc : new int[] {ENC_COMPRESSED, ENC_UNCOMPRESSED}) {
                for (long retention : new long[] {0, 30_000}) {
                    long s = Series.create(enc, retention, 64, DUP_UNSET, false, 0, 0);
                    Series.setLabels(s, new byte[][] {{'a'}, {'1'}});
                    Series.setLabels(s, new byte[][] {{'b'}, {'2'}, {'c'}, {}});
                    Series.setSrcKey(s, new byte[] {'k'});
                    Series.setRules(s, new byte[] {1, 2, 3}, 1);
                    long t = 0;
                    for (int i = 0; i < 20_000; i++) {
                        t += r.nextInt(1, 100);
                        long ts = r.nextInt(5) == 0 ? Math.max(0, t - r.nextInt(40_000)) : t;
                        Series.add(s, ts, r.nextInt(100) / 10.0, policies[r.nextInt(policies.length)]);
                        if (i % 997 == 0) Series.delete(s, t - r.nextInt(20_000), t - r.nextInt(5_000));
                    }
                    peak = Math.max(peak, (long) live.invokeExact());
                    long c = Series.copy(s);
                    Series.delete(s, 0, Long.MAX_VALUE);
                    Series.add(s, 1, 1, DUP_BLOCK);
                    Series.free(s);
                    Series.free(c);
                }
            }
            System.out.println("peak live blocks: " + peak);
            System.out.println("live after work: " + (long) live.invokeExact());
        }
    }
}
