package vts.bridge;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import vts.command.CommandWarmup;
import vts.index.LabelIndex;
import vts.mem.Mem;
import vts.query.AggregationEngine;
import vts.series.Layout;
import vts.series.Series;
import vts.series.SeriesCursor;

/**
 * The JIT warm-up at module load (module argument {@code jit-warmup <ms>}, README "JIT
 * warm-up"). On a fresh server C2 compiles the hot methods on the profile of the first
 * traffic, then throws the code away at the first branch that profile never took (an
 * uncommon trap) and runs the method interpreted until it recompiles: the max latencies of
 * the first seconds of a new workload (BENCHMARKS.md). This runs the commands' own code
 * (argument parsing, appends in both encodings and every duplicate policy, range reads,
 * every aggregator, TS.MRANGE over a label index, the reply writers) on private series
 * with varied data for the given time, so that the profiles already hold those branches
 * when the first client arrives.
 *
 * <p>Runs synchronously on the main thread inside OnLoad, before the server serves and
 * before it loads any data; it opens no key and touches no database's index. Its series
 * are allocated with the module allocator and freed again; its replies go to a context
 * whose replies the server drops (a thread-safe context without a blocked client). A
 * failure is logged and ignored: the module loads either way.
 */
public final class Warmup {
    static final int SHAPES = 8;
    private static final int SERIES = 32, MIN_ROUNDS = 3;
    // the common aggregators only: with twa, std/var and quantiles warmed up as well, C2 compiled
    // their branches into the aggregation loop and ab-range's avg and max looked slower
    static final String[] AGGS = {"avg", "sum", "min", "max", "range", "count", "first", "last"};
    private static final long T0 = 1_700_000_000_000L;

    /** Two contexts whose replies go nowhere, taken in turn as commands of different clients. */
    private final long ctxA, ctxB;
    private long ctx;
    private final SplittableRandom rnd = new SplittableRandom(42);
    private static final int MAX_ARGS = 32, BUF = 4096;
    private final long ptrs, lens, buf;
    private final long[] series = new long[SERIES];
    private final byte[][] keys = new byte[SERIES][];
    private AggregationEngine engine;
    private SeriesCursor cursor;
    private int errors, adds;

    private Warmup(long ctxA, long ctxB) {
        this.ctxA = ctxA;
        this.ctxB = ctxB;
        this.ctx = ctxA;
        ptrs = Mem.alloc(8L * MAX_ARGS);
        lens = Mem.alloc(8L * MAX_ARGS);
        buf = Mem.alloc(BUF);
    }

    /**
     * Called by the shim (native/warmup.c) at the end of OnLoad: ctxA and ctxB are contexts
     * whose replies go nowhere, budgetMs the time to spend. Returns the rounds run (0 on failure).
     */
    public static long run(long ctxA, long budgetMs, long ctxB, long unused2, long unused3, String unused4) {
        try {
            long t0 = System.nanoTime();
            Warmup w = new Warmup(ctxA, ctxB);
            int rounds = 0;
            try {
                // the budget, but at least MIN_ROUNDS whole rounds (up to 4x the budget): profiles are
                // only kept once C1 has compiled a method, so on a busy machine, where the compiler
                // threads wait for a CPU, a round run interpreted leaves little behind
                long end = t0 + budgetMs * 1_000_000L, cap = t0 + 4 * budgetMs * 1_000_000L;
                do {
                    w.round(rounds, rounds < MIN_ROUNDS ? cap : end);
                    rounds++;
                } while (System.nanoTime() < end || (rounds < MIN_ROUNDS && System.nanoTime() < cap));
            } finally {
                w.close();
            }
            Bridge.log("notice", String.format("timeseries: JIT warm-up: %d rounds in %d ms (%d error replies)",
                    rounds, (System.nanoTime() - t0) / 1_000_000, w.errors));
            return rounds;
        } catch (Throwable t) {
            try {
                Bridge.log("warning", "timeseries: JIT warm-up failed (ignored): " + t);
            } catch (Throwable ignored) {
                // nothing left to report with
            }
            return 0;
        }
    }

    private void close() {
        for (int i = 0; i < SERIES; i++) {
            if (series[i] != 0) Series.free(series[i]);
            series[i] = 0;
        }
        Mem.free(ptrs);
        Mem.free(lens);
        Mem.free(buf);
    }

    /**
     * The private label index TS.MRANGE queries: BATCHES x BATCH ids (labels region 4 values,
     * metric 3, grp 500), id i standing for series[i % SERIES], so that its bitmaps take the
     * shapes of a large index's (bit blocks, arrays, small sets). Each round replaces its oldest
     * batch of keys by a new one, so that queries meet unranked keys and rank rebuilds run.
     */
    private static final int BATCH = 5_000, BATCHES = 4;
    private LabelIndex index;

    private void putBatch(int b) {
        for (int i = b * BATCH; i < (b + 1) * BATCH; i++) {
            index.put(("warm:" + i).getBytes(StandardCharsets.US_ASCII),
                    new String[] {"region", "r" + (i % 4), "metric", "m" + (i % 3), "grp", "g" + (i % 500)}, 0);
        }
    }

    private void removeBatch(int b) {
        for (int i = b * BATCH; i < (b + 1) * BATCH; i++) index.remove(("warm:" + i).getBytes(StandardCharsets.US_ASCII));
    }

    /** One round: fresh series, writes of one data shape each, then reads of every kind; all freed. */
    private void round(int no, long end) {
        if (index == null) {
            index = new LabelIndex();
            for (int b = 0; b < BATCHES; b++) putBatch(b);
        } else {
            removeBatch(no - 1);
            putBatch(no - 1 + BATCHES);
        }
        // fresh per round, so that their buffers grow again: the first large chunk a client
        // reads takes the same path (the shared engines of the commands grow once, early)
        engine = new AggregationEngine();
        cursor = new SeriesCursor();
        try {
            for (int i = 0; i < SERIES; i++) {
                keys[i] = ("warm:" + no + ":" + i).getBytes(StandardCharsets.US_ASCII);
                int enc = i % 8 == 7 ? Layout.ENC_UNCOMPRESSED : Layout.ENC_COMPRESSED;
                int dup = i % 6 == 5 ? Layout.DUP_LAST : i % 12 == 4 ? Layout.DUP_MAX : Layout.DUP_UNSET;
                series[i] = Series.create(enc, i % 10 == 3 ? 3_600_000L : 0, i % 5 == 1 ? 256 : 4096, dup, false, 0,
                        0);
                String[] labels = {"region", "r" + (i % 4), "metric", "m" + (i % 3), "host", "h" + i};
                byte[][] lb = new byte[labels.length][];
                for (int k = 0; k < labels.length; k++) lb[k] = labels[k].getBytes(StandardCharsets.US_ASCII);
                Series.setLabels(series[i], lb);
            }
            // reads between the writes: a short budget still runs some of each
            for (int i = 0; i < SERIES && System.nanoTime() < end; i++) {
                fill(i, no);
                reads();
            }
        } finally {
            for (int i = 0; i < SERIES; i++) {
                if (series[i] != 0) Series.free(series[i]);
                series[i] = 0;
            }
        }
    }

    /** Writes series i through TS.ADD's parse: its own count, step, value shape and disorder. */
    private void fill(int i, int no) {
        int n = switch ((i + no) % 6) {
            case 0 -> 0;
            case 1 -> 1 + rnd.nextInt(20);
            case 2 -> 100 + rnd.nextInt(300);
            default -> 400 + rnd.nextInt(500);
        };
        int shape = (i * 7 + no) % SHAPES;
        long step = (i + no) % 3 == 0 ? 1000 : 1 + rnd.nextInt(5000);
        long ts = T0 + rnd.nextInt(100_000);
        long s = series[i];
        // duplicates, refused where the policy is BLOCK: under load a refused TS.ADD deoptimised the
        // bridge's entry point. No options such as ON_DUPLICATE and no bad arguments: with those
        // steady-state TS.ADD cost 8-18% more (C2 compiles them into the hot path; BENCHMARKS.md)
        boolean dups = true;
        for (int k = 0; k < n; k++) {
            long t = ts;
            int d = rnd.nextInt(100);
            if (d < 2 && k > 0 && dups) t -= step; // a duplicate of an earlier sample (or out of order)
            else if (d == 2 && k > 0) t -= 1 + rnd.nextInt(50_000); // out of order
            else ts += (i + no) % 4 == 1 ? 1 + rnd.nextInt((int) step * 2) : step;
            String v = value(rnd, shape, k);
            add(s, key(i), Long.toString(t), v);
        }
    }

    private String key(int i) { return new String(keys[i], StandardCharsets.US_ASCII); }

    /** The text of sample k of a series of the given shape, as clients send it. */
    static String value(SplittableRandom rnd, int shape, int k) {
        if (rnd.nextInt(200) == 0) return rnd.nextBoolean() ? "nan" : "-0";
        return switch (shape) {
            case 0 -> Integer.toString(rnd.nextInt(1000));
            case 1 -> Integer.toString(rnd.nextInt(97));
            case 2 -> Long.toString(rnd.nextLong(-1_000_000_000L, 1_000_000_000_000L));
            case 3 -> decimal(rnd.nextLong(100_000), 1 + rnd.nextInt(2));
            case 4 -> decimal(rnd.nextLong(-10_000_000, 10_000_000), 2 + rnd.nextInt(3));
            case 5 -> Double.toString(rnd.nextDouble() * Math.pow(10, rnd.nextInt(-8, 12)));
            case 6 -> k % 50 < 40 ? "42.5" : Integer.toString(k);
            default -> Double.toString(Math.sin(k / 10.0) * 100);
        };
    }

    private static String decimal(long m, int scale) {
        return java.math.BigDecimal.valueOf(m, scale).toPlainString();
    }

    private void add(long s, String... a) {
        String[] full = new String[a.length + 1];
        full[0] = "TS.ADD";
        System.arraycopy(a, 0, full, 1, a.length);
        NativeArgs na = argv(full);
        if (++adds % 100 == 0) {
            ctx = ctx == ctxA ? ctxB : ctxA; // clients send batches of adds
            failedCommand();
        }
        Bridge.guarded(ctx, "warm-up", () -> {
            try {
                CommandWarmup.add(ctx, na, s);
            } catch (vts.command.TsException e) {
                errors++; // the command's error reply, as a client would get it
                throw e;
            }
        });
    }

    private final int addId = Bridge.commandId("TS.ADD");

    /**
     * A command that fails in the bridge's real entry point, as a refused TS.ADD does under load.
     * Only the command name is passed, so TS.ADD's parser refuses it (wrong arity) before
     * anything else runs: no key is opened.
     */
    private void failedCommand() {
        if (addId < 0) return;
        argv("TS.ADD");
        Bridge.dispatch(addId, ctx, 0, ptrs, lens, 1);
    }

    /** One of each read, on random series: TS.GET, TS.RANGE and TS.MRANGE in several forms. */
    private void reads() {
        long s = series[rnd.nextInt(SERIES)];
        ctx = ctx == ctxA ? ctxB : ctxA;
        Bridge.guarded(ctx, "warm-up", () -> CommandWarmup.get(ctx, s));
        String from = rnd.nextInt(4) == 0 ? Long.toString(T0 + rnd.nextInt(2_000_000)) : "-";
        String to = rnd.nextInt(4) == 0 ? Long.toString(T0 + 1_000_000 + rnd.nextInt(4_000_000)) : "+";
        String agg = AGGS[rnd.nextInt(AGGS.length)];
        String bucket = Integer.toString(switch (rnd.nextInt(4)) {
            case 0 -> 1000;
            case 1 -> 10_000;
            case 2 -> 60_000;
            default -> 3_600_000;
        });
        String cmd = rnd.nextInt(5) == 0 ? "TS.REVRANGE" : "TS.RANGE";
        NativeArgs ra = switch (rnd.nextInt(6)) {
            case 0 -> argv(cmd, "k", from, to);
            case 1 -> argv(cmd, "k", from, to, "COUNT", "1000");
            case 2, 3 -> argv(cmd, "k", from, to, "AGGREGATION", "avg", bucket);
            default -> argv(cmd, "k", from, to, "AGGREGATION", agg, bucket);
        };
        Bridge.guarded(ctx, "warm-up", () -> CommandWarmup.range(ctx, ra, s));
        String mcmd = rnd.nextInt(6) == 0 ? "TS.MREVRANGE" : "TS.MRANGE";
        // grp= selects 40 ids (of INDEXED); region= and metric= 5,000 and 6,667, together 1,667
        String grp = "grp=g" + rnd.nextInt(500), region = "region=r" + rnd.nextInt(4);
        String metric = "metric=m" + rnd.nextInt(3);
        NativeArgs ma = switch (rnd.nextInt(16)) {
            case 0 -> argv(mcmd, from, to, "FILTER", grp);
            case 1 -> argv(mcmd, from, to, "WITHLABELS", "AGGREGATION", agg, bucket, "FILTER", grp);
            case 2 -> argv(mcmd, from, to, "AGGREGATION", agg, bucket, "FILTER", grp, "GROUPBY", "metric", "REDUCE",
                    "max");
            case 3 -> argv(mcmd, from, to, "AGGREGATION", "avg", "60000", "FILTER", region, metric);
            default -> argv(mcmd, from, to, "AGGREGATION", rnd.nextInt(3) == 0 ? agg : "avg", bucket, "FILTER", grp,
                    rnd.nextBoolean() ? region : metric);
        };
        ctx = ctx == ctxA ? ctxB : ctxA; // the next command from another client
        Bridge.guarded(ctx, "warm-up", () -> CommandWarmup.mrange(ctx, ma, index, series, engine, cursor));
    }

    /** The arguments as the server hands them over: pointer and length arrays over native bytes. */
    private NativeArgs argv(String... a) {
        int n = Math.min(a.length, MAX_ARGS);
        long p = buf;
        for (int i = 0; i < n; i++) {
            byte[] b = a[i].getBytes(StandardCharsets.US_ASCII);
            if (p + b.length + 1 > buf + BUF) throw new IllegalStateException("warm-up argument too long");
            Mem.copyFromArray(b, 0, p, b.length);
            Mem.putByte(p + b.length, (byte) 0);
            Mem.putLong(ptrs + 8L * i, p);
            Mem.putLong(lens + 8L * i, b.length);
            p += b.length + 1;
        }
        NativeArgs na = new NativeArgs();
        na.reset(0, ptrs, lens, n);
        return na;
    }
}
