package vts.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import vts.mem.Mem;
import vts.series.Layout;
import vts.series.Series;

/**
 * Prints bytes per sample as the allocator sees them: the usable sizes of all of a
 * series' blocks (header, chunk array, chunks, the open one included) over 10,000
 * samples at 1 s intervals, compressed chunks of chunk_size 4096. The allocator is
 * jemalloc (libjemalloc.so.2, the allocator inside valkey-server; the program re-runs
 * itself with it preloaded), so that size classes round as they do in the server;
 * without it, libc. The first four rows are the shapes of bench/vts_bench.py memory, where the
 * reference C module took 6.96 / 1.88 / 0.61 / 8.22 bytes per sample (used_memory
 * growth). "closed" is the same measure over the closed chunks only (no partly filled
 * open chunk): the steady state of a long series; "the compressed data alone" counts the
 * chunks' used data bytes only (no headers, no unused capacity).
 * Run: java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes
 * vts.bench.BytesPerSample
 */
public final class BytesPerSample {
    private BytesPerSample() {}

    static final int N = 10_000;
    static MethodHandle usable;

    public static void main(String[] args) throws Throwable {
        String allocator = useJemalloc(args);
        System.out.println("allocator: " + allocator);
        SplittableRandom r = new SplittableRandom(42);
        double[] walk = {100};
        row("random walk, 2 decimals", r, (prev) -> {
            walk[0] += r.nextDouble(-1, 1);
            return Math.round(walk[0] * 100) / 100.0;
        }, 100);
        row("integer counter (+0..10)", r, (prev) -> prev + r.nextInt(11), 0);
        row("constant 42.5", r, (prev) -> 42.5, 42.5);
        row("uniform random doubles [0,1)", r, (prev) -> r.nextDouble(), r.nextDouble());
        row("uniform random doubles [0,1e6)", r, (prev) -> r.nextDouble() * 1e6, r.nextDouble() * 1e6);
        row("random walk, full precision", r, (prev) -> prev + r.nextDouble(-1, 1), 100);
        row("counter (+0..100 random)", r, (prev) -> prev + r.nextInt(101), 0);
        row("decimal, then random from 5000", r, (prev) -> prev == Math.rint(prev) && prev < 5000 ? prev + 1
                : r.nextDouble(), 0);
    }

    static final String JEMALLOC = "/lib/x86_64-linux-gnu/libjemalloc.so.2";

    /**
     * Makes jemalloc the process allocator: jemalloc cannot be dlopen'ed (static TLS),
     * so without it already in the process this re-runs itself with LD_PRELOAD and
     * exits. Returns which allocator is in use.
     */
    static String useJemalloc(String[] args) throws Exception {
        return useJemalloc(BytesPerSample.class, args);
    }

    /** As {@link #useJemalloc(String[])}, re-running main's main method. */
    static String useJemalloc(Class<?> main, String[] args) throws Exception {
        boolean loaded = Files.readString(Path.of("/proc/self/maps")).contains("libjemalloc");
        if (!loaded && Files.exists(Path.of(JEMALLOC)) && !List.of(args).contains("--no-preload")) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new java.util.ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), main.getName()));
            cmd.addAll(List.of(args)); // the program's own arguments, then the marker
            cmd.add("--no-preload");
            ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
            pb.environment().put("LD_PRELOAD", JEMALLOC);
            System.exit(pb.start().waitFor());
        }
        Linker linker = Linker.nativeLinker();
        if (!loaded) {
            usable = linker.downcallHandle(linker.defaultLookup().find("malloc_usable_size").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
            return "libc (no jemalloc: size classes differ from the server's)";
        }
        // the default lookup resolves to libc's functions even so: install jemalloc's as the module allocator
        SymbolLookup lib = SymbolLookup.libraryLookup(JEMALLOC, Arena.global());
        Mem.Source.allocFn = lib.find("malloc").orElseThrow().address();
        Mem.Source.callocFn = lib.find("calloc").orElseThrow().address();
        Mem.Source.reallocFn = lib.find("realloc").orElseThrow().address();
        Mem.Source.freeFn = lib.find("free").orElseThrow().address();
        Mem.Source.usableFn = lib.find("malloc_usable_size").orElseThrow().address();
        usable = linker.downcallHandle(MemorySegment.ofAddress(Mem.Source.usableFn),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        if (!Mem.usingModuleAllocator()) throw new IllegalStateException("Mem was initialised before jemalloc was installed");
        return "jemalloc (preloaded, as the module allocator)";
    }

    static long usable(long p) throws Throwable {
        return p == 0 ? 0 : (long) usable.invokeExact(p);
    }

    static void row(String name, SplittableRandom r, DoubleUnaryOperator next, double start) throws Throwable {
        long s = Series.create(Layout.ENC_COMPRESSED, 0, 4096, Layout.DUP_BLOCK, false, 0, 0);
        long ts = 1_700_000_000_000L;
        double v = start;
        for (int i = 0; i < N; i++) {
            Series.add(s, ts + i * 1000L, v, Layout.DUP_BLOCK);
            v = next.applyAsDouble(v);
        }
        int n = Series.nchunks(s);
        // one chunk sits in the series header; more make an array
        long total = usable(s) + (Mem.getInt(s + Layout.S_CHUNKS_CAP) > 0 ? usable(Mem.getLong(s + Layout.S_CHUNKS)) : 0);
        long closed = 0, closedSamples = 0, data = 0;
        for (int i = 0; i < n; i++) {
            long c = Series.chunk(s, i);
            long u = usable(c);
            total += u;
            data += vts.codec.Chunks.used(c);
            if (i < n - 1) {
                closed += u;
                closedSamples += vts.codec.Chunks.count(c);
            }
        }
        System.out.printf("%-34s %6.3f bytes/sample (%2d chunks; closed: %6.3f; the compressed data alone: %6.3f)%n",
                name, total / (double) N, n, closedSamples == 0 ? Double.NaN : closed / (double) closedSamples,
                data / (double) N);
        Series.free(s);
    }
}
