package vts.bench;

import static vts.series.Layout.*;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.*;

import vts.query.Agg;
import vts.query.Aggregation;
import vts.query.AggregationEngine;
import vts.query.Aggregator;
import vts.query.BucketSink;
import vts.query.BucketTimestamp;
import vts.query.RangeQuery;
import vts.series.Series;

/**
 * TS.RANGE - + AGGREGATION over the data of {@code bench/vts_bench.py range} (a 1 s
 * random walk with 2 decimals, 4096-byte chunks) without a server: the engine's cost
 * only (no reply). Scores are samples per second.
 * Run: java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:&lt;deps&gt;
 * org.openjdk.jmh.Main RangeAggBench -f 1 -wi 3 -i 5
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RangeAggBench {
    static final int SAMPLES = 1_000_000;

    @Param({"avg:60000", "max:3600000", "avg,min,max:60000"})
    public String query;

    long series;
    RangeQuery q;
    final AggregationEngine engine = new AggregationEngine();
    double sink;
    final BucketSink out = (ts, vals) -> {
        sink += vals[0];
        return true;
    };

    @Setup
    public void setup() {
        series = Series.create(ENC_COMPRESSED, 0, 4096, DUP_LAST, false, 0, 0);
        Random r = new Random(4);
        double v = 100;
        for (int i = 0; i < SAMPLES; i++) {
            v += r.nextDouble() * 2 - 1;
            Series.add(series, 1_600_000_000_000L + i * 1000L, Double.parseDouble(String.format("%.2f", v)), DUP_LAST);
        }
        String[] p = query.split(":");
        List<Agg> aggs = new java.util.ArrayList<>();
        for (String a : p[0].split(",")) aggs.add(Agg.of(Aggregator.valueOf(a.toUpperCase())));
        q = new RangeQuery(0, Long.MAX_VALUE, false, null, null, -1,
                new Aggregation(aggs, Long.parseLong(p[1]), BucketTimestamp.START, false), null);
    }

    @TearDown
    public void tearDown() {
        Series.free(series);
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public long aggregate() {
        return engine.run(series, q, false, out);
    }
}
