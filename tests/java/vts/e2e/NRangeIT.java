package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * TS.NRANGE / TS.NREVRANGE against their definition: the outer join by timestamp of the
 * TS.RANGE / TS.REVRANGE replies of the keys (each key with its own aggregators), NaN where
 * a key has nothing at a timestamp; the reference's errors; keys declared to the server
 * (COMMAND GETKEYS, ACL, CROSSSLOT in a cluster).
 */
class NRangeIT extends ServerTests {
    static final String NUMKEYS = "ERR TSDB: numkeys must be a positive integer";
    static final String MISMATCH = "ERR TSDB: the number of aggregators must be equal to numkeys";

    /** A RESP2 NRANGE reply as rows "ts:[v1, v2, ...]", checking the shape on the way. */
    static List<String> rows2(Resp.Reply r) {
        List<String> out = new ArrayList<>();
        for (Resp.Reply row : array(r).items()) {
            Resp.Arr a = array(row);
            assertEquals(2, a.size(), "a row is [ts, [values]]: " + row);
            assertInstanceOf(Resp.Int.class, a.get(0));
            List<String> vals = new ArrayList<>();
            for (Resp.Reply v : array(a.get(1)).items()) {
                assertInstanceOf(Resp.Simple.class, v, "RESP2 values are simple strings: " + row);
                vals.add(text(v));
            }
            out.add(integer(a.get(0)) + ":" + vals);
        }
        return out;
    }

    /** The outer join of RESP2 TS.RANGE replies (rows [ts, v...]) of the keys, widths given. */
    static List<String> join(List<Resp.Reply> ranges, int[] widths, boolean reverse) {
        TreeMap<Long, String[]> rows = reverse ? new TreeMap<>(java.util.Comparator.reverseOrder()) : new TreeMap<>();
        int total = 0;
        for (int w : widths) total += w;
        int off = 0;
        for (int k = 0; k < ranges.size(); k++) {
            for (Resp.Reply row : array(ranges.get(k)).items()) {
                Resp.Arr a = array(row);
                assertEquals(widths[k] + 1, a.size(), "range row width: " + row);
                int t = total;
                String[] vals = rows.computeIfAbsent(integer(a.get(0)), x -> {
                    String[] v = new String[t];
                    java.util.Arrays.fill(v, "nan");
                    return v;
                });
                for (int j = 0; j < widths[k]; j++) vals[off + j] = text(a.get(1 + j));
            }
            off += widths[k];
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<Long, String[]> e : rows.entrySet()) out.add(e.getKey() + ":" + List.of(e.getValue()));
        return out;
    }

    static void ohlc() {
        String[] keys = {"{x}open", "{x}high", "{x}low", "{x}close", "{x}volume"};
        for (String k : keys) assertOk(call("TS.CREATE", k));
        long[][] all = {{0, 10}, {3, 14}, {6, 8}, {9, 11}};
        for (long[] s : all) for (String k : keys) call("TS.ADD", k, s[0], s[1]);
        long[][] noClose = {{10, 12}, {13, 9}, {17, 15}};
        for (long[] s : noClose) for (String k : keys) if (!k.equals("{x}close")) call("TS.ADD", k, s[0], s[1]);
    }

    @Test
    void rawRowsWithNaNForMissingValues() {
        ohlc();
        List<String> rows = rows2(call("TS.NRANGE", 5, "{x}open", "{x}high", "{x}low", "{x}close", "{x}volume", "-", "+"));
        assertEquals(7, rows.size());
        assertEquals("0:[10, 10, 10, 10, 10]", rows.get(0));
        assertEquals("10:[12, 12, 12, nan, 12]", rows.get(4));
        assertEquals("17:[15, 15, 15, nan, 15]", rows.get(6));
        assertEquals(List.of("17:[15, nan]", "13:[9, nan]"),
                rows2(call("TS.NREVRANGE", 2, "{x}open", "{x}close", 10, "+", "COUNT", 2)));
        // RESP3: the same rows, values as doubles (NaN a double too)
        Resp.Arr r3 = array(server.call3("TS.NRANGE", 2, "{x}open", "{x}close", 9, 10));
        assertEquals(2, r3.size());
        Resp.Arr row = array(r3.get(1));
        assertEquals(10, integer(row.get(0)));
        Resp.Arr vals = array(row.get(1));
        assertEquals(12.0, ((Resp.Dbl) vals.get(0)).value());
        assertTrue(Double.isNaN(((Resp.Dbl) vals.get(1)).value()), "NaN in RESP3: " + row);
        // duplicate keys are columns of their own
        assertEquals(List.of("0:[10, 10]"), rows2(call("TS.NRANGE", 2, "{x}open", "{x}open", 0, 0)));
    }

    @Test
    void oneAggregatorListPerKey() {
        ohlc();
        List<String> rows = rows2(call("TS.NRANGE", 5, "{x}open", "{x}high", "{x}low", "{x}close", "{x}volume", "-", "+",
                "AGGREGATION", "first", "max", "min", "last", "sum", 10));
        assertEquals(List.of("0:[10, 14, 8, 11, 43]", "10:[12, 15, 9, nan, 36]"), rows);
        // a comma list gives that key a column per aggregator
        assertEquals(List.of("0:[10, 14, 11, 43]", "10:[12, 15, nan, 36]"),
                rows2(call("TS.NRANGE", 3, "{x}open", "{x}close", "{x}volume", "-", "+",
                        "AGGREGATION", "first,max", "last", "sum", 10)));
        assertEquals(List.of("10:[12, 15, 3]", "0:[10, 14, 4]"),
                rows2(call("TS.NREVRANGE", 1, "{x}open", "-", "+", "AGGREGATION", "first,max,count", 10)));
        // EMPTY: each key reports its empty buckets as TS.RANGE does; the join keeps them
        assertEquals(List.of("0:[11, 11]", "10:[15, nan]"),
                rows2(call("TS.NRANGE", 2, "{x}open", "{x}close", 0, 29, "AGGREGATION", "last", "last", 10, "EMPTY")));
    }

    @Test
    void errorsAsTheReference() {
        ohlc();
        call("SET", "str", "x");
        assertWrongArity("TS.NRANGE", call("TS.NRANGE", 1, "{x}open", "-"));
        assertError(NUMKEYS, call("TS.NRANGE", "x", "{x}open", "{x}high", "-", "+"));
        assertError(NUMKEYS, call("TS.NRANGE", -1, "{x}open", "{x}high", "-", "+"));
        assertError(NUMKEYS, call("TS.NRANGE", 0, "{x}open", "{x}high", "-", "+"));
        assertWrongArity("TS.NRANGE", call("TS.NRANGE", 3, "{x}open", "-", "+"));
        assertWrongArity("TS.NREVRANGE", call("TS.NREVRANGE", Long.MAX_VALUE, "{x}open", "-", "+"));
        Object[] three = {"TS.NRANGE", 3, "{x}open", "{x}high", "{x}low", "-", "+", "AGGREGATION"};
        assertError(MISMATCH, call(cat(three, "avg", 10)));
        assertError(MISMATCH, call(cat(three, "min,max,avg", 10)));
        assertError(MISMATCH, call(cat(three, "min", "max", 10)));
        assertError(MISMATCH, call(cat(three, "min", "max", "avg", "sum", 10)));
        assertError(MISMATCH, call(cat(three, "min", "max")));
        assertError("ERR TSDB: Unknown aggregation type", call(cat(three, "min", "bogus", "max", 10)));
        assertError("ERR TSDB: Couldn't parse AGGREGATION", call(cat(three, "min", "max", "avg")));
        assertError("ERR TSDB: bucketDuration must be greater than zero", call(cat(three, "min", "max", "avg", 0)));
        assertError("ERR TSDB: wrong fromTimestamp", call("TS.NRANGE", 1, "{x}open", "x", "+"));
        assertError("ERR TSDB: Invalid COUNT value", call("TS.NRANGE", 1, "{x}open", "-", "+", "COUNT", 0));
        assertError(NO_KEY, call("TS.NRANGE", 2, "{x}open", "{x}nope", "-", "+"));
        assertError(WRONGTYPE, call("TS.NRANGE", 2, "str", "{x}open", "-", "+"));
    }

    static Object[] cat(Object[] a, Object... b) {
        Object[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void keysAreDeclaredToTheServer() {
        ohlc();
        assertEquals(List.of("{x}open", "other"),
                array(call("COMMAND", "GETKEYS", "TS.NRANGE", 2, "{x}open", "other", "-", "+")).plain());
        assertEquals(List.of("a"), array(call("COMMAND", "GETKEYS", "TS.NREVRANGE", 1, "a", 0, 10, "AGGREGATION", "avg", 5)).plain());
        // ACL: a user that may read {x}o* only
        assertOk(call("ACL", "SETUSER", "nr", "on", ">pw", "~{x}o*", "+@all"));
        try (Resp c = server.resp()) {
            assertOk(c.call("AUTH", "nr", "pw"));
            assertEquals(2, array(c.call("TS.NRANGE", 1, "{x}open", "-", "+", "COUNT", 2)).size());
            Resp.Reply denied = c.call("TS.NRANGE", 2, "{x}open", "{x}high", "-", "+");
            assertErrorStartsWith("NOPERM", denied);
        } finally {
            call("ACL", "DELUSER", "nr");
        }
    }

    @Test
    void keysInDifferentSlotsAreRefusedInACluster() throws Exception {
        try (ValkeyServer node = ValkeyServer.builder().config("cluster-enabled", "yes").start()) {
            assertOk(node.call("CLUSTER", "ADDSLOTSRANGE", 0, 16383));
            node.await("cluster state ok", Duration.ofSeconds(20),
                    () -> text(node.call("CLUSTER", "INFO")).contains("cluster_state:ok"));
            assertOk(node.call("TS.CREATE", "{a}1"));
            assertOk(node.call("TS.CREATE", "{a}2"));
            assertOk(node.call("TS.CREATE", "{b}1"));
            for (String cmd : new String[] {"TS.NRANGE", "TS.NREVRANGE"}) {
                assertErrorStartsWith("CROSSSLOT", node.call(cmd, 2, "{a}1", "{b}1", "-", "+"));
                assertEquals(0, array(node.call(cmd, 2, "{a}1", "{a}2", "-", "+")).size());
            }
        }
    }

    // ------------------------------------------------------------ randomized

    static final String[] AGGS = {"avg", "sum", "min", "max", "range", "count", "first", "last", "std.p", "std.s",
        "var.p", "var.s", "twa", "countnan", "countall", "p50"};

    @Test
    void randomQueriesEqualTheJoinOfTheirRanges() {
        Random rnd = new Random(11);
        for (int round = 0; round < 60; round++) {
            call("FLUSHALL");
            int n = 1 + rnd.nextInt(4);
            String[] keys = new String[n];
            for (int k = 0; k < n; k++) {
                keys[k] = "{r}" + rnd.nextInt(3) + "_" + k;
                assertOk(call("TS.CREATE", keys[k], "CHUNK_SIZE", 48 + 8 * rnd.nextInt(4)));
                long t = rnd.nextInt(50);
                int samples = rnd.nextInt(60);
                for (int i = 0; i < samples; i++) {
                    call("TS.ADD", keys[k], t, (rnd.nextInt(2000) - 1000) / 10.0);
                    t += 1 + rnd.nextInt(rnd.nextBoolean() ? 5 : 40);
                }
            }
            if (rnd.nextInt(5) == 0) keys[n - 1] = keys[0]; // a key twice
            List<Object> opts = new ArrayList<>();
            Object from = rnd.nextInt(4) == 0 ? "-" : (Object) (long) rnd.nextInt(300);
            Object to = rnd.nextInt(4) == 0 ? "+" : (Object) (long) (rnd.nextInt(900) + 100);
            if (rnd.nextInt(4) == 0) opts.add("LATEST");
            if (rnd.nextInt(5) == 0) {
                opts.add("FILTER_BY_TS");
                for (int i = 0; i < 1 + rnd.nextInt(20); i++) opts.add((long) rnd.nextInt(600));
            }
            if (rnd.nextInt(5) == 0) {
                opts.add("FILTER_BY_VALUE");
                opts.add(-50);
                opts.add(rnd.nextInt(100));
            }
            if (rnd.nextInt(3) == 0) {
                opts.add("COUNT");
                opts.add(1 + rnd.nextInt(30));
            }
            boolean agg = rnd.nextBoolean();
            String[] specs = new String[n];
            int[] widths = new int[n];
            List<Object> aggTail = new ArrayList<>();
            if (agg) {
                if (rnd.nextInt(3) == 0) {
                    opts.add("ALIGN");
                    opts.add(rnd.nextInt(3) == 0 && !from.equals("-") ? "start" : (Object) (long) rnd.nextInt(50));
                }
                for (int k = 0; k < n; k++) {
                    int w = 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(3) : 0);
                    StringBuilder sb = new StringBuilder();
                    for (int j = 0; j < w; j++) sb.append(j == 0 ? "" : ",").append(AGGS[rnd.nextInt(AGGS.length)]);
                    specs[k] = sb.toString();
                    widths[k] = w;
                }
                aggTail.add(1 + rnd.nextInt(60));
                if (rnd.nextInt(3) == 0) {
                    aggTail.add("BUCKETTIMESTAMP");
                    aggTail.add(new String[] {"start", "end", "mid"}[rnd.nextInt(3)]);
                }
                if (rnd.nextInt(3) == 0) aggTail.add("EMPTY");
            } else {
                java.util.Arrays.fill(widths, 1);
            }
            for (boolean reverse : new boolean[] {false, true}) {
                List<Resp.Reply> ranges = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    List<Object> c = new ArrayList<>(List.of(reverse ? "TS.REVRANGE" : "TS.RANGE", keys[k], from, to));
                    c.addAll(opts);
                    if (agg) {
                        c.add("AGGREGATION");
                        c.add(specs[k]);
                        c.addAll(aggTail);
                    }
                    ranges.add(call(c.toArray()));
                }
                List<Object> c = new ArrayList<>(List.of(reverse ? "TS.NREVRANGE" : "TS.NRANGE", n));
                c.addAll(List.of(keys));
                c.add(from);
                c.add(to);
                c.addAll(opts);
                if (agg) {
                    c.add("AGGREGATION");
                    c.addAll(List.of(specs));
                    c.addAll(aggTail);
                }
                List<String> want = join(ranges, widths, reverse);
                int count = opts.indexOf("COUNT");
                if (count >= 0) want = want.subList(0, Math.min(want.size(), (Integer) opts.get(count + 1)));
                assertEquals(want, rows2(call(c.toArray())), "round " + round + ": " + c);
            }
        }
    }
}
