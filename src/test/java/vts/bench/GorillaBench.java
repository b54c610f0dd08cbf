package vts.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import vts.codec.ChunkReader;
import vts.codec.Chunks;
import vts.series.Layout;

/**
 * Encode and decode throughput of COMPRESSED chunks for a 1 s-interval random walk
 * rounded to 2 decimals. Scores are samples per second (each invocation handles
 * SAMPLES samples, declared with @OperationsPerInvocation).
 * Run: java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:&lt;deps&gt;
 * org.openjdk.jmh.Main GorillaBench -f 1 -wi 2 -i 3
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class GorillaBench {
    static final int SAMPLES = 1000;
    static final int CAPACITY = 4096;

    long[] ts = new long[SAMPLES];
    double[] vals = new double[SAMPLES];
    long[] outTs = new long[SAMPLES];
    double[] outVals = new double[SAMPLES];
    long chunk;
    final ChunkReader reader = new ChunkReader();
    final long text = java.lang.foreign.Arena.global().allocate(SAMPLES * (long) vts.bridge.ReplyText.ROW_MAX).address();

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        double v = 100;
        for (int i = 0; i < SAMPLES; i++) {
            ts[i] = 1_700_000_000_000L + i * 1000L;
            vals[i] = v;
            v = Math.round((v + r.nextGaussian()) * 100) / 100.0;
        }
        chunk = Chunks.encode(Layout.ENC_COMPRESSED, ts, vals, 0, SAMPLES, CAPACITY);
        if (chunk == 0) throw new IllegalStateException("samples do not fit one chunk");
    }

    @TearDown
    public void tearDown() {
        Chunks.free(chunk);
    }

    /** Appends SAMPLES samples into a fresh chunk (includes one calloc/free of 4 KB). */
    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public int encode() {
        long c = Chunks.newChunk(Layout.ENC_COMPRESSED, CAPACITY);
        int n = Chunks.appendAll(c, ts, vals, 0, SAMPLES);
        int used = Chunks.used(c);
        Chunks.free(c);
        return n + used;
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public double decodeReader() {
        ChunkReader rd = reader.reset(chunk);
        double acc = 0;
        while (rd.next()) acc += rd.value + rd.ts;
        return acc;
    }

    /** Decoding plus each row's RESP2 text as a raw range writes it (vts.bridge.Reply#sample). */
    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public long decodeAndReplyText() {
        ChunkReader rd = reader.reset(chunk);
        long p = text;
        while (rd.next()) p = vts.bridge.ReplyText.row(p, rd.ts, rd.value, rd.mantissa, rd.decimals);
        return p - text;
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public int decodeBulk() {
        return Chunks.decode(chunk, outTs, outVals, 0);
    }
}
