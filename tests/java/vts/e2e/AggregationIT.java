package vts.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static vts.e2e.Ts.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import vts.query.Agg;
import vts.query.AggModel;
import vts.query.BucketTimestamp;

/**
 * TS.RANGE / TS.REVRANGE with AGGREGATION on a real server, against the same model as the
 * engine's unit tests, in RESP2 (values as shortest simple strings) and RESP3 (doubles);
 * and every malformed AGGREGATION clause.
 */
class AggregationIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension().flushAllBeforeEach();

    /** The class's server (started by the extension before the first test). */
    private static ValkeyServer srv() {
        return valkey.server();
    }

    static final String[] AGGS = {"avg", "sum", "min", "max", "range", "count", "first", "last", "std.p", "std.s",
        "var.p", "var.s", "twa", "countnan", "countall", "p50", "p99.9", "p0"};

    /** Loads a random series into key and the model; returns its last timestamp. */
    static long load(SplittableRandom r, String key, String encoding, int chunkSize, TreeMap<Long, Double> model) {
        assertOk(srv().call("TS.CREATE", key, "ENCODING", encoding, "CHUNK_SIZE", chunkSize, "DUPLICATE_POLICY", "LAST"));
        long t = r.nextLong(0, 3000);
        // a third of the series: short decimals evenly spaced, now and then a gap (the chunks
        // whose timestamps the decoder derives)
        boolean regular = r.nextInt(3) == 0;
        long step = r.nextLong(1, 500);
        List<Object> madd = new ArrayList<>();
        madd.add("TS.MADD");
        for (int i = 0; i < 3000; i++) {
            double v = switch (regular ? 2 : r.nextInt(15)) {
                case 0 -> Double.NaN;
                case 1 -> r.nextDouble() * 1e6;
                default -> r.nextInt(-500, 500) / 10.0;
            };
            madd.add(key);
            madd.add(t);
            madd.add(Double.isNaN(v) ? "nan" : Double.toString(v));
            model.put(t, v);
            if (regular) t += r.nextInt(500) == 0 ? 3 * step : step;
            else t += r.nextInt(20) == 0 ? r.nextLong(1, 5000) : r.nextLong(1, 50);
        }
        Resp.Reply reply = srv().call(madd.toArray());
        for (Resp.Reply x : array(reply).items()) assertInstanceOf(Resp.Int.class, x, "MADD: " + x);
        return model.lastKey();
    }

    @Test
    void randomQueriesMatchTheModelInBothProtocols() {
        SplittableRandom r = new SplittableRandom(5);
        int rows = 0;
        String[][] kinds = {{"COMPRESSED", "128"}, {"UNCOMPRESSED", "4096"}, {"COMPRESSED", "4096"}};
        for (String[] kind : kinds) {
            String key = "s:" + kind[0] + kind[1];
            TreeMap<Long, Double> model = new TreeMap<>();
            long last = load(r, key, kind[0], Integer.parseInt(kind[1]), model);
            for (int qi = 0; qi < 150; qi++) rows += check(r, key, model, last);
        }
        assertTrue(rows > 3000, "rows compared: " + rows);
    }

    private int check(SplittableRandom r, String key, TreeMap<Long, Double> model, long last) {
        List<Object> cmd = new ArrayList<>();
        boolean reverse = r.nextBoolean();
        boolean fromMin = r.nextInt(3) == 0, toMax = r.nextInt(3) == 0;
        long from = fromMin ? 0 : r.nextLong(0, last);
        long to = toMax ? Long.MAX_VALUE : r.nextLong(from, last + 100);
        cmd.add(reverse ? "TS.REVRANGE" : "TS.RANGE");
        cmd.add(key);
        cmd.add(fromMin ? "-" : from);
        cmd.add(toMax ? "+" : to);
        long[] byTs = null;
        if (r.nextInt(8) == 0) {
            List<Long> keys = new ArrayList<>(model.keySet());
            java.util.TreeSet<Long> pick = new java.util.TreeSet<>();
            for (int i = 0; i < 20; i++) pick.add(keys.get(r.nextInt(keys.size())));
            byTs = pick.stream().mapToLong(Long::longValue).toArray();
            cmd.add("FILTER_BY_TS");
            for (long t : byTs) cmd.add(t);
        }
        double[] byValue = null;
        if (r.nextInt(8) == 0) {
            byValue = new double[] {r.nextInt(-50, 0), r.nextInt(0, 50)};
            cmd.add("FILTER_BY_VALUE");
            cmd.add((long) byValue[0]);
            cmd.add((long) byValue[1]);
        }
        long count = -1;
        if (r.nextInt(4) == 0) {
            count = r.nextLong(1, 30);
            cmd.add("COUNT");
            cmd.add(count);
        }
        long alignTs = 0;
        int alignKind = r.nextInt(4);
        if (alignKind == 0 && !fromMin) {
            cmd.add("ALIGN");
            cmd.add("start");
            alignTs = from;
        } else if (alignKind == 1 && !toMax) {
            cmd.add("ALIGN");
            cmd.add("+");
            alignTs = to;
        } else if (alignKind == 2) {
            alignTs = r.nextLong(0, 100_000);
            cmd.add("ALIGN");
            cmd.add(alignTs);
        }
        List<Agg> aggs = new ArrayList<>();
        StringBuilder names = new StringBuilder();
        int na = r.nextInt(1, 4);
        for (int i = 0; i < na; i++) {
            String n = AGGS[r.nextInt(AGGS.length)];
            aggs.add(Agg.parse(n));
            names.append(i > 0 ? "," : "").append(r.nextBoolean() ? n : n.toUpperCase());
        }
        long dur = new long[] {1, 7, 60, 500, 3600, 100_000}[r.nextInt(6)];
        cmd.add("AGGREGATION");
        cmd.add(names.toString());
        cmd.add(dur);
        BucketTimestamp bt = BucketTimestamp.START;
        if (r.nextBoolean()) {
            bt = BucketTimestamp.values()[r.nextInt(3)];
            cmd.add("BUCKETTIMESTAMP");
            cmd.add(switch (bt) { case START -> r.nextBoolean() ? "-" : "start"; case END -> r.nextBoolean() ? "+" : "end"; case MID -> r.nextBoolean() ? "~" : "mid"; });
        }
        boolean empty = r.nextInt(3) == 0;
        if (empty) cmd.add("EMPTY");
        List<AggModel.Row> want = AggModel.run(model, 0, from, to, byTs, byValue, aggs, dur, alignTs, bt, empty, count, reverse);
        Object[] args = cmd.toArray();
        String ctx = cmd.toString();
        compare(want, array(srv().call(args)), false, ctx);
        compare(want, array(srv().call3(args)), true, ctx);
        return want.size();
    }

    /**
     * With ts-num-threads above 1 a helper thread decodes long series ahead of the main
     * thread and formats some RESP2 values: the replies must be exactly those of the main
     * thread alone (ts-num-threads 1), in both protocols.
     */
    @Test
    void helperThreadRepliesExactlyAsTheMainThreadAlone() {
        SplittableRandom r = new SplittableRandom(23);
        assertOk(srv().call("TS.CREATE", "big", "CHUNK_SIZE", 256, "LABELS", "kind", "walk"));
        long t = 1_700_000_000_000L;
        double v = 100;
        for (int b = 0; b < 60; b++) {
            List<Object> madd = new ArrayList<>();
            madd.add("TS.MADD");
            for (int i = 0; i < 2000; i++) {
                v = Math.round((v + r.nextInt(-100, 101) / 100.0) * 100) / 100.0;
                madd.add("big");
                madd.add(t);
                madd.add(b == 30 && i < 200 ? Double.toString(v + r.nextDouble()) : String.format(java.util.Locale.ROOT, "%.2f", v));
                t += r.nextInt(3000) == 0 ? 90_000 : 1000;
            }
            for (Resp.Reply x : array(srv().call(madd.toArray())).items()) assertInstanceOf(Resp.Int.class, x);
        }
        List<Object[]> queries = new ArrayList<>();
        queries.add(new Object[] {"TS.RANGE", "big", "-", "+", "AGGREGATION", "avg", 60000});
        queries.add(new Object[] {"TS.RANGE", "big", "-", "+", "AGGREGATION", "max", 3600000});
        // the engine behind TS.MRANGE is the same, with other sinks
        queries.add(new Object[] {"TS.MRANGE", "-", "+", "AGGREGATION", "avg", 60000, "FILTER", "kind=walk"});
        queries.add(new Object[] {"TS.MREVRANGE", "-", "+", "COUNT", 50, "AGGREGATION", "min", 600000, "FILTER",
            "kind=walk", "GROUPBY", "kind", "REDUCE", "max"});
        String[] names = {"avg", "sum", "min", "max", "range", "count", "first", "last", "avg,max", "countall"};
        for (int i = 0; i < 40; i++) {
            List<Object> q = new ArrayList<>(List.of(r.nextInt(4) == 0 ? "TS.REVRANGE" : "TS.RANGE", "big"));
            q.add(r.nextInt(3) == 0 ? "-" : String.valueOf(1_700_000_000_000L + r.nextLong(0, 100_000_000)));
            q.add(r.nextInt(3) == 0 ? "+" : String.valueOf(1_700_000_000_000L + r.nextLong(100_000_000, 125_000_000)));
            if (r.nextInt(5) == 0) q.addAll(List.of("COUNT", r.nextLong(1, 300)));
            if (r.nextInt(4) == 0) q.addAll(List.of("ALIGN", r.nextLong(0, 100_000)));
            q.addAll(List.of("AGGREGATION", names[r.nextInt(names.length)], new long[] {1000, 7000, 60_000, 600_000}[r.nextInt(4)]));
            if (r.nextInt(4) == 0) q.add("EMPTY");
            queries.add(q.toArray());
        }
        List<Resp.Reply> alone = new ArrayList<>();
        assertOk(srv().call("CONFIG", "SET", "timeseries.ts-num-threads", "1"));
        try {
            for (Object[] q : queries) {
                alone.add(srv().call(q));
                alone.add(srv().call3(q));
            }
            assertOk(srv().call("CONFIG", "SET", "timeseries.ts-num-threads", "3"));
            int rows = 0;
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < queries.size(); i++) {
                    String ctx = java.util.Arrays.toString(queries.get(i));
                    Resp.Reply two = srv().call(queries.get(i)), three = srv().call3(queries.get(i));
                    assertEquals(alone.get(2 * i), two, ctx + " RESP2");
                    assertEquals(alone.get(2 * i + 1), three, ctx + " RESP3");
                    rows += array(two).size();
                }
            }
            assertTrue(rows > 100_000, "rows compared: " + rows);
            // the setting takes 1 to 16; anything else is refused and changes nothing
            for (String bad : new String[] {"0", "17", "-1", "two", ""}) {
                assertInstanceOf(Resp.Err.class, srv().call("CONFIG", "SET", "timeseries.ts-num-threads", bad), bad);
            }
            Resp.Arr got = array(srv().call("CONFIG", "GET", "timeseries.ts-num-threads"));
            assertArrayEquals("3".getBytes(), ((Resp.Bulk) got.get(1)).bytes());
        } finally {
            srv().call("CONFIG", "SET", "timeseries.ts-num-threads", "3");
        }
    }

    private static void compare(List<AggModel.Row> want, Resp.Arr got, boolean resp3, String ctx) {
        assertEquals(want.size(), got.size(), ctx + " rows");
        for (int i = 0; i < want.size(); i++) {
            Resp.Arr row = array(got.get(i));
            double[] w = want.get(i).values();
            assertEquals(w.length + 1, row.size(), ctx);
            assertEquals(want.get(i).ts(), integer(row.get(0)), ctx + " row " + i);
            for (int k = 0; k < w.length; k++) {
                Resp.Reply cell = row.get(k + 1);
                double v;
                if (resp3) {
                    v = assertInstanceOf(Resp.Dbl.class, cell, ctx).value();
                } else {
                    String s = assertInstanceOf(Resp.Simple.class, cell, ctx).text();
                    v = s.equalsIgnoreCase("nan") ? Double.NaN : Double.parseDouble(s);
                    if (v == Math.rint(v) && Math.abs(v) < 1e15) assertFalse(s.contains("."), "whole numbers print bare: " + s);
                }
                if (Double.isNaN(w[k]) && Double.isNaN(v)) continue;
                double tol = 1e-9 * Math.max(1, Math.abs(w[k])) + 1e-6;
                assertTrue(Math.abs(w[k] - v) <= tol, ctx + " row " + i + " col " + k + ": want " + w[k] + " got " + v);
            }
        }
    }

    @Test
    void exampleFromTheReferenceDocs() {
        assertOk(srv().call("TS.CREATE", "temp"));
        srv().call("TS.MADD", "temp", 1000, 30, "temp", 1010, 35, "temp", 1020, 9999, "temp", 1030, 40);
        assertEquals(List.of("1000:32.5", "1020:5019.5"),
                pairs(srv().call("TS.RANGE", "temp", "-", "+", "AGGREGATION", "avg", 20)));
        assertEquals(List.of("1020:5019.5", "1000:32.5"),
                pairs(srv().call("TS.REVRANGE", "temp", "-", "+", "AGGREGATION", "avg", 20)));
        assertEquals(List.of("1000:30|35|2", "1020:40|9999|2"),
                pairs(srv().call("TS.RANGE", "temp", "-", "+", "AGGREGATION", "min,max,count", 20)));
        assertEquals(List.of("1015:35"), pairs(srv().call("TS.RANGE", "temp", 1005, 1015, "ALIGN", "start",
                "AGGREGATION", "max", 10, "BUCKETTIMESTAMP", "+")));
        assertEquals(List.of("1005:35"), pairs(srv().call("TS.RANGE", "temp", 1005, 1015, "ALIGN", "start",
                "AGGREGATION", "max", 10, "COUNT", 1)));
        Resp.Arr r3 = array(srv().call3("TS.RANGE", "temp", "-", "+", "AGGREGATION", "count", 1000));
        assertEquals(1000, integer(array(r3.get(0)).get(0)));
        assertEquals(4.0, assertInstanceOf(Resp.Dbl.class, array(r3.get(0)).get(1)).value());
    }

    /** A RESP2 aggregation reply as "ts:v1|v2" strings. */
    static List<String> pairs(Resp.Reply r) {
        List<String> out = new ArrayList<>();
        for (Resp.Reply row : array(r).items()) {
            Resp.Arr a = array(row);
            StringBuilder b = new StringBuilder().append(integer(a.get(0))).append(':');
            for (int k = 1; k < a.size(); k++) b.append(k > 1 ? "|" : "").append(text(a.get(k)));
            out.add(b.toString());
        }
        return out;
    }

    @Test
    void emptyBucketsAndNaN() {
        assertOk(srv().call("TS.CREATE", "e"));
        srv().call("TS.MADD", "e", 10, 4, "e", 50, 8, "e", 55, "nan");
        assertEquals(List.of("10:4|1|0", "20:0|0|0", "30:0|0|0", "40:0|0|0", "50:8|1|1"),
                pairs(srv().call("TS.RANGE", "e", "-", "+", "AGGREGATION", "sum,count,countnan", 10, "EMPTY")));
        assertEquals(List.of("10:4", "20:4", "30:4", "40:4", "50:8"),
                pairs(srv().call("TS.RANGE", "e", "-", "+", "AGGREGATION", "last", 10, "EMPTY")));
        assertEquals(List.of("10:4", "20:0"),
                pairs(srv().call("TS.RANGE", "e", 0, 60, "AGGREGATION", "sum", 10, "EMPTY", "COUNT", 2)));
        assertEquals(List.of("50:8", "40:0"),
                pairs(srv().call("TS.REVRANGE", "e", 0, 60, "AGGREGATION", "sum", 10, "EMPTY", "COUNT", 2)));
        List<String> avg = pairs(srv().call("TS.RANGE", "e", "-", "+", "AGGREGATION", "avg", 10, "EMPTY"));
        assertEquals("10:4", avg.get(0));
        assertTrue(avg.get(1).toLowerCase().endsWith("nan"), avg.toString());
        assertEquals("50:8", avg.get(4));
        // a bucket of NaN only exists for countnan/countall
        assertEquals(List.of("10:1", "50:1"), pairs(srv().call("TS.RANGE", "e", "-", "+", "AGGREGATION", "count", 5)));
        assertEquals(List.of("10:1", "50:1", "55:1"), pairs(srv().call("TS.RANGE", "e", "-", "+", "AGGREGATION", "countall", 5)));
    }

    @Test
    void malformedAggregationClausesGiveClearErrors() {
        assertOk(srv().call("TS.CREATE", "k"));
        srv().call("TS.ADD", "k", 1, 1);
        Object[][] bad = {
            {"ERR TSDB: Couldn't parse AGGREGATION", "AGGREGATION"},
            {"ERR TSDB: Couldn't parse AGGREGATION", "AGGREGATION", "avg"},
            {"ERR TSDB: Couldn't parse AGGREGATION", "AGGREGATION", "avg", "abc"},
            {"ERR TSDB: Couldn't parse AGGREGATION", "AGGREGATION", "avg", "1.5"},
            {"ERR TSDB: Unknown aggregation type", "AGGREGATION", "foo", 10},
            {"ERR TSDB: Unknown aggregation type", "AGGREGATION", "p101", 10},
            {"ERR TSDB: Unknown aggregation type", "AGGREGATION", "avg;max", 10},
            {"ERR TSDB: Empty aggregation type in list", "AGGREGATION", "avg,,max", 10},
            {"ERR TSDB: Empty aggregation type in list", "AGGREGATION", "avg,", 10},
            {"ERR TSDB: bucketDuration must be greater than zero", "AGGREGATION", "avg", 0},
            {"ERR TSDB: bucketDuration must be greater than zero", "AGGREGATION", "avg", -5},
            {"ERR TSDB: unknown BUCKETTIMESTAMP parameter", "AGGREGATION", "avg", 10, "BUCKETTIMESTAMP", "foo"},
            {"ERR TSDB: EMPTY flag should be the 3rd or 5th flag after AGGREGATION flag", "EMPTY", "AGGREGATION", "avg", 10},
            {"ERR TSDB: BUCKETTIMESTAMP flag should be the 3rd or 4th flag after AGGREGATION flag", "BUCKETTIMESTAMP", "+"},
            {"ERR TSDB: ALIGN parameter can only be used with AGGREGATION", "ALIGN", 5},
            {"ERR TSDB: start alignment can only be used with explicit start timestamp", "ALIGN", "start", "AGGREGATION", "avg", 10},
            {"ERR TSDB: end alignment can only be used with explicit end timestamp", "ALIGN", "end", "AGGREGATION", "avg", 10},
            {"ERR TSDB: unknown ALIGN parameter", "ALIGN", "foo", "AGGREGATION", "avg", 10},
        };
        for (String cmd : new String[] {"TS.RANGE", "TS.REVRANGE"}) {
            for (Object[] b : bad) {
                Object[] args = new Object[b.length + 3];
                args[0] = cmd;
                args[1] = "k";
                args[2] = "-";
                args[3] = "+";
                System.arraycopy(b, 1, args, 4, b.length - 1);
                assertError((String) b[0], srv().call(args));
            }
            Resp.Reply r = srv().call(cmd, "k", "-", "+", "AGGREGATION", "avg", 10, "BUCKETTIMESTAMP");
            assertInstanceOf(Resp.Err.class, r, "missing BUCKETTIMESTAMP value");
        }
        assertEquals("PONG", text(srv().call("PING")));
    }
}
