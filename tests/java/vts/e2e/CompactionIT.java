package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compaction rules: TS.CREATERULE/DELETERULE and their errors, destinations after in-order
 * and out-of-order writes and TS.DEL (against TS.RANGE AGGREGATION of the source), LATEST,
 * TS.INFO, DEBUG RELOAD, DUMP/RESTORE, RENAME, deletion cleanup, ts-compaction-policy.
 */
class CompactionIT extends ServerTests {
    static List<String> range(String key, Object... extra) {
        List<Object> a = new ArrayList<>(List.of("TS.RANGE", key, "-", "+"));
        a.addAll(List.of(extra));
        return samples2(call(a.toArray()));
    }

    /** What dest must hold: the source aggregated over every bucket before the open one. */
    static List<String> expected(ValkeyServer s, String src, String agg, long dur, long align, long openStart) {
        if (openStart <= 0) return List.of();
        return samples2(s.call("TS.RANGE", src, 0, openStart - 1, "ALIGN", align, "AGGREGATION", agg, dur));
    }

    /** Equal sample lists, or a failure naming the first difference (the lists can be long). */
    static void assertSameSamples(List<String> expected, List<String> actual, String what) {
        int n = Math.min(expected.size(), actual.size());
        for (int i = 0; i < n; i++) {
            if (!sameSample(expected.get(i), actual.get(i))) {
                throw new AssertionError(what + ": sample " + i + " expected " + expected.subList(i, Math.min(n, i + 4))
                        + " but was " + actual.subList(i, Math.min(n, i + 4)) + " (sizes " + expected.size() + ", "
                        + actual.size() + ")");
            }
        }
        assertEquals(expected.size(), actual.size(), what + ": number of samples");
    }

    /**
     * "ts:value" equal, values within a relative 1e-12: the engine rounds std.s of the same
     * bucket differently in the last bit depending on the query's extent (reported to agg).
     */
    static boolean sameSample(String e, String a) {
        if (e.equals(a)) return true;
        String[] x = e.split(":"), y = a.split(":");
        if (!x[0].equals(y[0])) return false;
        double u = Double.parseDouble(x[1]), v = Double.parseDouble(y[1]);
        return Math.abs(u - v) <= 1e-12 * Math.max(Math.abs(u), Math.abs(v));
    }

    /** Reads every pending reply of a pipeline. */
    static void sync(Resp r) {
        r.flush();
        while (r.pending() > 0) r.read();
    }

    static long bucket(long ts, long dur, long align) {
        return ts - Math.floorMod(ts - align, dur);
    }

    @Test
    void bucketIsWrittenWhenTheNextOneOpens() {
        assertOk(call("TS.CREATE", "src"));
        assertOk(call("TS.CREATE", "dst"));
        assertOk(call("TS.CREATERULE", "src", "dst", "AGGREGATION", "sum", 10));
        for (int t = 0; t < 10; t++) call("TS.ADD", "src", t, 1);
        assertEquals(List.of(), range("dst"));
        call("TS.ADD", "src", 10, 5);
        assertEquals(List.of("0:10"), range("dst"));
        call("TS.ADD", "src", 35, 1); // skips empty buckets
        assertEquals(List.of("0:10", "10:5"), range("dst"));
        // out of order into a closed bucket recomputes it
        call("TS.ADD", "src", 5, 100, "ON_DUPLICATE", "LAST");
        assertEquals(List.of("0:109", "10:5"), range("dst"));
        call("TS.ADD", "src", 21, 7);
        assertEquals(List.of("0:109", "10:5", "20:7"), range("dst"));
        // TS.DEL emptying a bucket removes its sample
        assertEquals(new Resp.Int(1), call("TS.DEL", "src", 21, 21));
        assertEquals(List.of("0:109", "10:5"), range("dst"));
        // LATEST: the open bucket
        assertEquals(List.of("10:5"), List.of(sample2(call("TS.GET", "dst"))));
        assertEquals("30:1", sample2(call("TS.GET", "dst", "LATEST")));
        assertEquals(List.of("0:109", "10:5", "30:1"), range("dst", "LATEST"));
        assertEquals(List.of("10:5"), samples2(call("TS.RANGE", "dst", 5, 29, "LATEST")));
        assertEquals(List.of("30:1", "10:5"), samples2(call("TS.REVRANGE", "dst", 5, "+", "LATEST")));
        assertEquals(List.of("0:114", "30:1"), range("dst", "LATEST", "AGGREGATION", "sum", 30));
        assertEquals(List.of("0:109", "10:5"), range("dst")); // the view was temporary
        // LATEST on a series that is no compaction is ignored
        assertEquals("35:1", sample2(call("TS.GET", "src", "LATEST")));
        assertEquals("35:1.0", sample3(server.call3("TS.GET", "src", "LATEST")));
        assertEquals("30:1.0", sample3(server.call3("TS.GET", "dst", "LATEST")));
    }

    @Test
    void alignmentAndNegativeBucketStart() {
        assertOk(call("TS.CREATE", "src"));
        assertOk(call("TS.CREATE", "dst"));
        assertOk(call("TS.CREATERULE", "src", "dst", "AGGREGATION", "count", 10, 3));
        for (long t : new long[] {0, 1, 2, 3, 12, 13, 25}) call("TS.ADD", "src", t, 1);
        // buckets [-7, 2] reported at 0, [3, 12], [13, 22]; [23, 32] is open
        assertEquals(List.of("0:3", "3:2", "13:1"), range("dst"));
        assertEquals(expected(server, "src", "count", 10, 3, 23), range("dst"));
    }

    @Test
    void infoShowsRulesAndSource() {
        assertOk(call("TS.CREATE", "src"));
        assertOk(call("TS.CREATE", "a"));
        assertOk(call("TS.CREATE", "b"));
        assertOk(call("TS.CREATERULE", "src", "a", "AGGREGATION", "avg", 60000));
        assertOk(call("TS.CREATERULE", "src", "b", "AGGREGATION", "p99.9", 1000, 500));
        Map<String, Resp.Reply> info = info(server, "src");
        assertEquals(INFO_FIELDS, List.copyOf(info.keySet()));
        assertEquals(new Resp.Null(), info.get("sourceKey"));
        assertEquals(List.of(List.of("a", 60000L, "AVG", 0L), List.of("b", 1000L, "P99.9", 500L)),
                info.get("rules").plain());
        Map<String, Resp.Reply> a = info(server, "a");
        assertEquals("src", text(a.get("sourceKey")));
        assertEquals(List.of(), a.get("rules").plain());
        Resp.MapReply i3 = assertInstanceOf(Resp.MapReply.class, server.call3("TS.INFO", "src"));
        Resp.MapReply rules3 = assertInstanceOf(Resp.MapReply.class, i3.get("rules"));
        assertEquals(List.of("a", "b"), rules3.keys());
        assertEquals(List.of(1000L, "P99.9", 500L), rules3.get("b").plain());
        assertEquals("src", text(assertInstanceOf(Resp.MapReply.class, server.call3("TS.INFO", "a")).get("sourceKey")));
    }

    @Test
    void errors() {
        assertOk(call("TS.CREATE", "src"));
        assertOk(call("TS.CREATE", "dst"));
        assertOk(call("TS.CREATE", "other"));
        call("SET", "str", "x");
        assertError("ERR TSDB: the source key and destination key should be different",
                call("TS.CREATERULE", "src", "src", "AGGREGATION", "avg", 10));
        assertError(NO_KEY, call("TS.CREATERULE", "nope", "dst", "AGGREGATION", "avg", 10));
        assertError(NO_KEY, call("TS.CREATERULE", "src", "nope", "AGGREGATION", "avg", 10));
        assertError(WRONGTYPE, call("TS.CREATERULE", "str", "dst", "AGGREGATION", "avg", 10));
        assertError(WRONGTYPE, call("TS.CREATERULE", "src", "str", "AGGREGATION", "avg", 10));
        assertError("ERR TSDB: Unknown aggregation type", call("TS.CREATERULE", "src", "dst", "AGGREGATION", "foo", 10));
        assertError("ERR TSDB: bucketDuration must be greater than zero",
                call("TS.CREATERULE", "src", "dst", "AGGREGATION", "avg", 0));
        assertWrongArity("TS.CREATERULE", call("TS.CREATERULE", "src", "dst", "AGGREGATION", "avg"));
        assertOk(call("TS.CREATERULE", "src", "dst", "AGGREGATION", "avg", 10));
        assertError("ERR TSDB: the destination key already has a src rule",
                call("TS.CREATERULE", "src", "dst", "AGGREGATION", "max", 10));
        assertError("ERR TSDB: the destination key already has a src rule",
                call("TS.CREATERULE", "other", "dst", "AGGREGATION", "max", 10));
        // chains, both directions
        assertError("ERR TSDB: the source key already has a source rule",
                call("TS.CREATERULE", "dst", "other", "AGGREGATION", "max", 10));
        assertError("ERR TSDB: the destination key already has a dst rule",
                call("TS.CREATERULE", "other", "src", "AGGREGATION", "max", 10));
        assertError("ERR TSDB: compaction rule does not exist", call("TS.DELETERULE", "src", "other"));
        assertError("ERR TSDB: compaction rule does not exist", call("TS.DELETERULE", "dst", "src"));
        assertError(NO_KEY, call("TS.DELETERULE", "nope", "dst"));
        assertError(WRONGTYPE, call("TS.DELETERULE", "str", "dst"));
        assertWrongArity("TS.DELETERULE", call("TS.DELETERULE", "src"));
        assertOk(call("TS.DELETERULE", "src", "dst"));
        assertEquals(new Resp.Null(), info(server, "dst").get("sourceKey"));
        assertEquals(List.of(), info(server, "src").get("rules").plain());
        assertError("ERR TSDB: compaction rule does not exist", call("TS.DELETERULE", "src", "dst"));
        // a deleted rule stops writing
        assertOk(call("TS.CREATERULE", "src", "dst", "AGGREGATION", "sum", 10));
        call("TS.ADD", "src", 1, 1);
        call("TS.ADD", "src", 11, 1);
        assertOk(call("TS.DELETERULE", "src", "dst"));
        call("TS.ADD", "src", 21, 1);
        assertEquals(List.of("0:1"), range("dst"));
    }

    /**
     * Random in-order and out-of-order writes (TS.ADD, TS.MADD, TS.INCRBY) and TS.DEL on a
     * source with several rules: every destination equals TS.RANGE AGGREGATION of the source.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void destinationsEqualRangeAggregation(long seed) {
        Random rnd = new Random(seed);
        String[] aggs = {"avg", "sum", "min", "max", "range", "count", "first", "last", "std.p", "std.s", "var.p",
                "var.s", "twa", "p50", "p90", "countnan", "countall"};
        long[] durs = {7, 50, 100, 333};
        assertOk(call("TS.CREATE", "src", "DUPLICATE_POLICY", "LAST", "CHUNK_SIZE", "128"));
        List<Object[]> rules = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String agg = aggs[rnd.nextInt(aggs.length)];
            long dur = durs[rnd.nextInt(durs.length)];
            long align = rnd.nextBoolean() ? 0 : rnd.nextInt(1000);
            String dst = "dst" + i + ":" + agg;
            assertOk(call("TS.CREATE", dst));
            assertOk(call("TS.CREATERULE", "src", dst, "AGGREGATION", agg, dur, align));
            rules.add(new Object[] {dst, agg, dur, align});
        }
        long maxTs = -1;
        long t = 1000;
        try (Resp r = server.resp()) {
            for (int op = 0; op < 3000; op++) {
                int kind = rnd.nextInt(100);
                long ts;
                if (kind < 70) {
                    t += rnd.nextInt(30);
                    ts = t;
                } else {
                    ts = Math.max(0, t - rnd.nextInt(2000));
                }
                if (kind < 90) {
                    String v = rnd.nextInt(10) == 0 ? "nan" : Double.toString(Math.round(rnd.nextGaussian() * 1000) / 8.0);
                    if (rnd.nextInt(10) == 0) {
                        r.send("TS.MADD", "src", ts, v, "src", ts + 1, "1.5");
                        maxTs = Math.max(maxTs, ts + 1);
                    } else {
                        r.send("TS.ADD", "src", ts, v);
                        maxTs = Math.max(maxTs, ts);
                    }
                } else if (kind < 93 && ts == t) {
                    r.send("TS.INCRBY", "src", 2, "TIMESTAMP", ts);
                    maxTs = Math.max(maxTs, ts);
                } else {
                    r.send("TS.DEL", "src", ts, ts + rnd.nextInt(300));
                }
                if (op % 100 == 99) sync(r);
            }
            sync(r);
        }
        for (Object[] rule : rules) {
            String dst = (String) rule[0];
            long dur = (Long) rule[2];
            long align = (Long) rule[3];
            long open = bucket(maxTs, dur, align); // TS.DEL never moves a rule's open bucket back
            assertSameSamples(expected(server, "src", (String) rule[1], dur, align, open), range(dst),
                    dst + " dur " + dur + " align " + align);
        }
    }

    /**
     * In-order writes of full-precision values (the running aggregates of the open buckets,
     * across chunk boundaries, NaN and buckets spanning many chunks): destinations and
     * LATEST equal TS.RANGE AGGREGATION of the source exactly (var/std: within 1e-12).
     */
    @ParameterizedTest
    @ValueSource(longs = {11, 12})
    void inOrderWritesKeepExactlyTheEngineValues(long seed) {
        Random rnd = new Random(seed);
        String[] aggs = {"avg", "sum", "min", "max", "range", "count", "first", "last", "std.p", "std.s", "var.p",
                "var.s", "twa", "p50", "countnan", "countall"};
        long[] durs = {1, 50, 700, 5000};
        assertOk(call("TS.CREATE", "src", "CHUNK_SIZE", "128"));
        List<Object[]> rules = new ArrayList<>();
        for (String agg : aggs) {
            long dur = durs[rnd.nextInt(durs.length)];
            long align = rnd.nextBoolean() ? 0 : rnd.nextInt(1000);
            String dst = "dst:" + agg;
            assertOk(call("TS.CREATE", dst));
            assertOk(call("TS.CREATERULE", "src", dst, "AGGREGATION", agg, dur, align));
            rules.add(new Object[] {dst, agg, dur, align});
        }
        long t = rnd.nextInt(100);
        double base = rnd.nextGaussian() * 1e6;
        try (Resp r = server.resp()) {
            for (int op = 0; op < 4000; op++) {
                t += 1 + rnd.nextInt(rnd.nextInt(20) == 0 ? 3000 : 20);
                String v = rnd.nextInt(20) == 0 ? "nan" : Double.toString(base + rnd.nextGaussian() * 1000);
                r.send("TS.ADD", "src", t, v);
                if (op % 100 == 99) sync(r);
            }
            sync(r);
        }
        for (Object[] rule : rules) {
            String dst = (String) rule[0], agg = (String) rule[1];
            long dur = (Long) rule[2];
            long align = (Long) rule[3];
            long open = bucket(t, dur, align);
            List<String> want = expected(server, "src", agg, dur, align, open);
            List<String> got = range(dst);
            String what = dst + " dur " + dur + " align " + align;
            if (agg.startsWith("std") || agg.startsWith("var")) assertSameSamples(want, got, what);
            else assertEquals(want, got, what);
            List<String> latest = samples2(call("TS.RANGE", "src", Math.max(0, open), "+", "ALIGN", align, "AGGREGATION",
                    agg, dur));
            Resp.Reply l = call("TS.GET", dst, "LATEST");
            if (latest.isEmpty()) continue;
            if (agg.startsWith("std") || agg.startsWith("var")) assertSameSamples(latest, List.of(sample2(l)), what);
            else assertEquals(latest, List.of(sample2(l)), what + " LATEST");
        }
    }

    @Test
    void debugReloadKeepsRulesAndOpenBucket() {
        assertOk(call("TS.CREATE", "src"));
        assertOk(call("TS.CREATE", "dst"));
        assertOk(call("TS.CREATERULE", "src", "dst", "AGGREGATION", "max", 10, 5));
        for (int t = 0; t < 30; t++) call("TS.ADD", "src", t, t);
        List<String> before = range("dst");
        String latest = sample2(call("TS.GET", "dst", "LATEST"));
        assertOk(call("DEBUG", "RELOAD"));
        assertEquals(before, range("dst"));
        assertEquals(latest, sample2(call("TS.GET", "dst", "LATEST")));
        assertEquals(List.of(List.of("dst", 10L, "MAX", 5L)), info(server, "src").get("rules").plain());
        call("TS.ADD", "src", 40, 1);
        assertEquals(expected(server, "src", "max", 10, 5, 35), range("dst"));
    }

    @Test
    void dumpRestoreOfEitherSide() {
        assertOk(call("TS.CREATE", "src"));
        assertOk(call("TS.CREATE", "dst"));
        assertOk(call("TS.CREATERULE", "src", "dst", "AGGREGATION", "sum", 10));
        for (int t = 0; t < 25; t++) call("TS.ADD", "src", t, 1);
        Resp.Reply dump = call("DUMP", "src");
        assertOk(call("RESTORE", "src", 0, ((Resp.Bulk) dump).bytes(), "REPLACE"));
        call("TS.ADD", "src", 31, 1);
        assertEquals(List.of("0:10", "10:10", "20:5"), range("dst"));
        assertEquals("src", text(info(server, "dst").get("sourceKey")));
        // the source is deleted and comes back from its dump: the rule is back
        assertEquals(new Resp.Int(1), call("DEL", "src"));
        assertEquals(new Resp.Null(), info(server, "dst").get("sourceKey"));
        assertOk(call("RESTORE", "src", 0, ((Resp.Bulk) dump).bytes()));
        assertEquals("src", text(info(server, "dst").get("sourceKey")));
        // a restored copy of the destination under another name does not claim the source
        assertOk(call("RESTORE", "dst2", 0, ((Resp.Bulk) call("DUMP", "dst")).bytes()));
        assertEquals(new Resp.Null(), info(server, "dst2").get("sourceKey"));
        assertEquals(1, ((Resp.Arr) info(server, "src").get("rules")).size());
    }

    @Test
    void renameEitherSide() {
        assertOk(call("TS.CREATE", "src"));
        assertOk(call("TS.CREATE", "dst"));
        assertOk(call("TS.CREATERULE", "src", "dst", "AGGREGATION", "sum", 10));
        call("TS.ADD", "src", 1, 1);
        assertOk(call("RENAME", "src", "src2"));
        assertEquals("src2", text(info(server, "dst").get("sourceKey")));
        call("TS.ADD", "src2", 11, 2);
        assertEquals(List.of("0:1"), range("dst"));
        assertOk(call("RENAME", "dst", "dst2"));
        assertEquals(List.of(List.of("dst2", 10L, "SUM", 0L)), info(server, "src2").get("rules").plain());
        call("TS.ADD", "src2", 21, 3);
        assertEquals(List.of("0:1", "10:2"), range("dst2"));
        assertEquals("20:3", sample2(call("TS.GET", "dst2", "LATEST")));
        // RENAME onto an existing series replaces it; the links follow
        assertOk(call("TS.CREATE", "x"));
        assertOk(call("RENAME", "dst2", "x"));
        assertEquals(List.of(List.of("x", 10L, "SUM", 0L)), info(server, "src2").get("rules").plain());
        // MOVE and COPY carry no links
        assertEquals(new Resp.Int(1), call("COPY", "src2", "copy"));
        assertEquals(List.of(), info(server, "copy").get("rules").plain());
        assertEquals(new Resp.Int(1), call("MOVE", "x", 1));
        assertEquals(List.of(), info(server, "src2").get("rules").plain());
        call("SELECT", 1);
        try {
            assertEquals(new Resp.Null(), info(server, "x").get("sourceKey"));
        } finally {
            call("SELECT", 0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"DEL", "UNLINK", "EXPIRE", "SET", "FLUSHDB", "DB1"})
    void deletingOneSideCleansTheOther(String how) {
        boolean db1 = how.equals("DB1");
        if (db1) call("SELECT", 1);
        try {
            for (String victim : new String[] {"src", "dst"}) {
                call("FLUSHDB");
                assertOk(call("TS.CREATE", "src"));
                assertOk(call("TS.CREATE", "dst"));
                assertOk(call("TS.CREATERULE", "src", "dst", "AGGREGATION", "sum", 10));
                call("TS.ADD", "src", 1, 1);
                switch (how) {
                    case "DEL", "DB1" -> assertEquals(new Resp.Int(1), call("DEL", victim));
                    case "UNLINK" -> assertEquals(new Resp.Int(1), call("UNLINK", victim));
                    case "EXPIRE" -> {
                        call("PEXPIRE", victim, 1);
                        ValkeyServer.sleep(20);
                        assertEquals(new Resp.Int(0), call("EXISTS", victim));
                    }
                    case "SET" -> assertOk(call("SET", victim, "v"));
                    case "FLUSHDB" -> assertOk(call("FLUSHDB"));
                    default -> throw new IllegalArgumentException(how);
                }
                if (how.equals("FLUSHDB")) continue;
                String other = victim.equals("src") ? "dst" : "src";
                Map<String, Resp.Reply> i = info(server, other);
                assertEquals(new Resp.Null(), i.get("sourceKey"), how + " " + victim);
                assertEquals(List.of(), i.get("rules").plain(), how + " " + victim);
                // the survivor works alone, and the name can take a new series
                call("TS.ADD", other, 100, 1);
                assertInstanceOf(Resp.Int.class, call("TS.ADD", victim.equals("SET") ? "fresh" : victim + "2", 1, 1));
            }
        } finally {
            if (db1) {
                call("FLUSHDB");
                call("SELECT", 0);
            }
        }
    }

    @Test
    void compactionPolicyCreatesDestinations() {
        assertOk(call("CONFIG", "SET", "timeseries.ts-compaction-policy", "max:1M:1h;avg:10s:0:5s;p50:1m:0"));
        try {
            assertEquals(new Resp.Int(1000), call("TS.ADD", "t1", 1000, 1, "LABELS", "room", "k"));
            Map<String, Resp.Reply> i = info(server, "t1");
            assertEquals(List.of(List.of("t1_MAX_60000", 60000L, "MAX", 0L), List.of("t1_AVG_10000_5000", 10000L, "AVG", 5000L),
                    List.of("t1_P50_1", 1L, "P50", 0L)), i.get("rules").plain());
            Map<String, Resp.Reply> d = info(server, "t1_MAX_60000");
            assertEquals("t1", text(d.get("sourceKey")));
            assertEquals(3_600_000L, integer(d.get("retentionTime")));
            assertEquals(Map.of("room", "k", "aggregation", "MAX", "time_bucket", "60000"), labels(d.get("labels")));
            assertEquals(List.of("room", "aggregation", "time_bucket"), List.copyOf(labels(d.get("labels")).keySet()));
            assertEquals(0L, integer(info(server, "t1_AVG_10000_5000").get("retentionTime")));
            call("TS.ADD", "t1", 1001, 3);
            assertEquals(List.of("1000:1"), range("t1_P50_1"));
            // TS.INCRBY creates with the policy too; TS.CREATE does not (as the reference)
            call("TS.INCRBY", "t2", 1, "TIMESTAMP", 5);
            assertEquals(3, ((Resp.Arr) info(server, "t2").get("rules")).size());
            assertOk(call("TS.CREATE", "t3"));
            assertEquals(List.of(), info(server, "t3").get("rules").plain());
            // a taken destination name is skipped
            call("SET", "t4_MAX_60000", "x");
            call("TS.ADD", "t4", 1, 1);
            assertEquals(2, ((Resp.Arr) info(server, "t4").get("rules")).size());
            // an invalid policy is refused (CompactionPolicyIT); the empty one creates nothing
            assertErrorStartsWith("ERR", call("CONFIG", "SET", "timeseries.ts-compaction-policy", "max:1x:1h"));
            assertOk(call("CONFIG", "SET", "timeseries.ts-compaction-policy", ""));
            assertEquals(new Resp.Int(1), call("TS.ADD", "t5", 1, 1));
            assertEquals(List.of(), info(server, "t5").get("rules").plain());
        } finally {
            call("CONFIG", "SET", "timeseries.ts-compaction-policy", "");
        }
    }

    @Test
    void keyspaceNotifications() {
        assertOk(call("TS.CREATE", "src"));
        assertOk(call("TS.CREATE", "dst"));
        call("CONFIG", "SET", "notify-keyspace-events", "KEA");
        try (Resp sub = server.resp()) {
            sub.call("PSUBSCRIBE", "__keyevent@0__:*");
            assertOk(call("TS.CREATERULE", "src", "dst", "AGGREGATION", "sum", 10));
            call("TS.ADD", "src", 1, 1);
            call("TS.ADD", "src", 11, 1);
            assertOk(call("TS.DELETERULE", "src", "dst"));
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                Resp.Arr m = (Resp.Arr) sub.readWithin(2000);
                events.add(text(m.get(2)).substring("__keyevent@0__:".length()) + " " + text(m.get(3)));
            }
            assertEquals(List.of("ts.createrule:src src", "ts.createrule:dest dst", "ts.add src",
                    "ts.add:dest dst", "ts.add src", "ts.deleterule:src src", "ts.deleterule:dest dst"), events);
        } finally {
            call("CONFIG", "SET", "notify-keyspace-events", "");
        }
    }
}
