package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TS.GET and TS.MGET read the last sample from a copy in the series header (native/tsdb_layout.h
 * last_ts/last_value), which every write path must keep equal to the chunks. After each kind of
 * write (appends through TS.ADD and TS.MADD, upserts under every duplicate policy and
 * ON_DUPLICATE, IGNORE, TS.INCRBY/TS.DECRBY, TS.DEL of the last sample and of everything,
 * retention, compaction rules writing their destinations, TS.ALTER), on a replica, after COPY,
 * DUMP/RESTORE, DEBUG RELOAD and an AOF rewrite plus restart (TS._RESTORE), every series' TS.GET
 * (RESP2 and RESP3) and TS.MGET row must equal its last sample read from the chunks
 * (TS.REVRANGE - + COUNT 1), and the samples this test knows it wrote last.
 */
class LastSampleIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension();

    static final long T0 = 1_700_000_000_000L;
    static final String[] POLICIES = {"BLOCK", "FIRST", "LAST", "MIN", "MAX", "SUM"};

    /** key → the last sample this test wrote, "ts value" ("" for none) */
    final Map<String, String> expected = new LinkedHashMap<>();

    @Test
    void theLastSampleFollowsEveryWritePath() {
        ValkeyServer p = valkey.track(ValkeyServer.builder().config("appendonly", "yes")
                .config("aof-use-rdb-preamble", "no").start());
        writeEveryPath(p);
        check(p, "after the writes");

        ValkeyServer replica = valkey.track(ValkeyServer.builder().replicaOf(p).start());
        ReplicationIT.awaitLinkUp(replica);
        assertEquals(new Resp.Int(1), p.call("WAIT", "1", "10000"));
        check(replica, "on the replica after the full sync");

        writeAgain(p);
        check(p, "after the second writes");
        assertEquals(new Resp.Int(1), p.call("WAIT", "1", "10000"));
        check(replica, "on the replica after live writes");

        for (String k : List.copyOf(expected.keySet())) {
            assertEquals(new Resp.Int(1), p.call("COPY", k, "c:" + k));
            Object dump = p.raw("DUMP", k);
            assertOk(p.call("RESTORE", "r:" + k, "0", dump));
            expected.put("c:" + k, expected.get(k));
            expected.put("r:" + k, expected.get(k));
        }
        check(p, "after COPY and RESTORE");

        assertOk(p.call("DEBUG", "RELOAD"));
        check(p, "after DEBUG RELOAD");

        p.call("BGREWRITEAOF");
        PersistenceIT.awaitAofRewrite(p);
        p.call("TS.ADD", "l:append", T0 + 5000, "3.5"); // lands in the incremental AOF
        expected.put("l:append", (T0 + 5000) + " 3.5");
        p.stopNoSave();
        p.startAgain();
        assertTrue(p.log().contains("DB loaded from"), "loaded from the AOF\n" + p.logTail(20));
        check(p, "after BGREWRITEAOF and a restart");
        assertFalse(p.log().contains("corrupt"), p.logTail(20));
    }

    private void add(ValkeyServer s, String key, long ts, Object v, Object... more) {
        List<Object> args = new ArrayList<>(List.of("TS.ADD", key, ts, v));
        args.addAll(List.of(more));
        Resp.Reply r = s.call(args.toArray());
        assertTrue(r instanceof Resp.Int, args + ": " + r);
    }

    private static void create(ValkeyServer s, String key, Object... options) {
        List<Object> args = new ArrayList<>(List.of("TS.CREATE", key));
        args.addAll(List.of(options));
        args.addAll(List.of("LABELS", "t", "last"));
        assertOk(s.call(args.toArray()));
    }

    private void writeEveryPath(ValkeyServer s) {
        // appends: the one chunk in the header, then many (the chunk array)
        create(s, "l:append", "CHUNK_SIZE", 48);
        for (int i = 0; i < 300; i++) add(s, "l:append", T0 + i * 10L, i * 0.25);
        expected.put("l:append", (T0 + 2990) + " 74.75");
        create(s, "l:one");
        add(s, "l:one", T0, "-2.5");
        expected.put("l:one", T0 + " -2.5");

        // TS.MADD: several series in one batch, one of them twice
        create(s, "l:madd1", "CHUNK_SIZE", 64);
        create(s, "l:madd2", "ENCODING", "UNCOMPRESSED", "CHUNK_SIZE", 64);
        List<Object> madd = new ArrayList<>(List.of("TS.MADD"));
        for (int i = 0; i < 100; i++) madd.addAll(List.of("l:madd1", T0 + i, i, "l:madd2", T0 + 2L * i, i + 0.5));
        madd.addAll(List.of("l:madd1", T0 + 200, "1e300"));
        assertEquals(201, array(s.call(madd.toArray())).size());
        expected.put("l:madd1", (T0 + 200) + " 1e300");
        expected.put("l:madd2", (T0 + 198) + " 99.5");

        // upserts at the last timestamp under each duplicate policy
        for (String policy : POLICIES) {
            String k = "l:dup:" + policy;
            create(s, k, "DUPLICATE_POLICY", policy, "CHUNK_SIZE", 48);
            for (int i = 0; i < 60; i++) add(s, k, T0 + i, 10);
            Resp.Reply r = s.call("TS.ADD", k, T0 + 59, 4);
            if (policy.equals("BLOCK")) assertErrorStartsWith("ERR TSDB: Error at upsert", r);
            String v = switch (policy) {
                case "LAST", "MIN" -> "4";
                case "SUM" -> "14";
                default -> "10";
            };
            expected.put(k, (T0 + 59) + " " + v);
        }
        // ON_DUPLICATE over the series' policy
        for (String policy : POLICIES) {
            String k = "l:ondup:" + policy;
            create(s, k, "DUPLICATE_POLICY", "BLOCK");
            add(s, k, T0, 2);
            add(s, k, T0 + 1, 3);
            Resp.Reply r = s.call("TS.ADD", k, T0 + 1, 5, "ON_DUPLICATE", policy);
            if (policy.equals("BLOCK")) assertErrorStartsWith("ERR TSDB: Error at upsert", r);
            String v = switch (policy) {
                case "LAST", "MAX" -> "5";
                case "SUM" -> "8";
                default -> "3";
            };
            expected.put(k, (T0 + 1) + " " + v);
        }
        // inserts before the last sample: into the last chunk and into an older one
        create(s, "l:older", "CHUNK_SIZE", 48, "DUPLICATE_POLICY", "LAST");
        for (int i = 0; i < 100; i++) add(s, "l:older", T0 + i * 10L, i);
        add(s, "l:older", T0 + 985, 7);
        add(s, "l:older", T0 + 55, 7);
        add(s, "l:older", T0 + 20, 9);
        expected.put("l:older", (T0 + 990) + " 99");

        // IGNORE: a sample close to the last one is dropped, a far one lands
        create(s, "l:ignore", "DUPLICATE_POLICY", "LAST", "IGNORE", 1000, 5);
        add(s, "l:ignore", T0, 10);
        add(s, "l:ignore", T0 + 10, 12);
        expected.put("l:ignore", T0 + " 10");
        check1(s, "l:ignore", "an ignored sample");
        add(s, "l:ignore", T0 + 20, 100);
        add(s, "l:ignore", T0 + 30, 101);
        expected.put("l:ignore", (T0 + 20) + " 100");

        // TS.INCRBY / TS.DECRBY: a new series, the same timestamp again, a later one
        assertEquals(T0, integer(s.call("TS.INCRBY", "l:incr", 5, "TIMESTAMP", T0, "LABELS", "t", "last")));
        assertEquals(T0, integer(s.call("TS.INCRBY", "l:incr", 2, "TIMESTAMP", T0)));
        assertEquals(T0 + 5, integer(s.call("TS.DECRBY", "l:incr", 1.5, "TIMESTAMP", T0 + 5)));
        expected.put("l:incr", (T0 + 5) + " 5.5");

        // TS.DEL: the last sample, a range holding the last chunk's samples, everything
        create(s, "l:dellast", "CHUNK_SIZE", 48);
        for (int i = 0; i < 100; i++) add(s, "l:dellast", T0 + i * 10L, i);
        assertEquals(1, integer(s.call("TS.DEL", "l:dellast", T0 + 990, T0 + 990)));
        expected.put("l:dellast", (T0 + 980) + " 98");
        check1(s, "l:dellast", "the last sample deleted");
        assertEquals(30, integer(s.call("TS.DEL", "l:dellast", T0 + 685, T0 + 5000)));
        expected.put("l:dellast", (T0 + 680) + " 68");
        create(s, "l:delall", "CHUNK_SIZE", 48);
        for (int i = 0; i < 50; i++) add(s, "l:delall", T0 + i, i);
        assertEquals(50, integer(s.call("TS.DEL", "l:delall", 0, T0 + 100)));
        expected.put("l:delall", "");
        check1(s, "l:delall", "everything deleted");
        create(s, "l:again");
        for (int i = 0; i < 5; i++) add(s, "l:again", T0 + i, i);
        assertEquals(5, integer(s.call("TS.DEL", "l:again", T0, T0 + 4)));
        add(s, "l:again", T0 - 100, 42);
        expected.put("l:again", (T0 - 100) + " 42");
        create(s, "l:empty");
        expected.put("l:empty", "");

        // retention drops whole chunks as samples come
        create(s, "l:retention", "RETENTION", 200, "CHUNK_SIZE", 48);
        for (int i = 0; i < 500; i++) add(s, "l:retention", T0 + i * 3L, i % 17);
        expected.put("l:retention", (T0 + 1497) + " " + (499 % 17));
        Resp.Reply old = s.call("TS.ADD", "l:retention", T0, 1);
        assertErrorStartsWith("ERR TSDB: Timestamp is older than retention", old);

        // a compaction rule: the source's writes close buckets into the destination
        create(s, "l:src", "CHUNK_SIZE", 48);
        create(s, "l:dst", "CHUNK_SIZE", 48);
        assertOk(s.call("TS.CREATERULE", "l:src", "l:dst", "AGGREGATION", "sum", 100));
        for (int i = 0; i < 250; i++) add(s, "l:src", T0 + i * 7L, 1);
        expected.put("l:src", (T0 + 249 * 7) + " 1");
        expected.put("l:dst", (T0 + 1600) + " 14"); // 1600..1699 closed: 1603..1694 step 7
        check1(s, "l:dst", "closed buckets");
        add(s, "l:src", T0 + 1605, 1); // a new sample in the last closed bucket: recomputed
        expected.put("l:dst", (T0 + 1600) + " 15");

        // TS.ALTER, then more writes under the new settings
        create(s, "l:alter", "CHUNK_SIZE", 48);
        for (int i = 0; i < 100; i++) add(s, "l:alter", T0 + i * 10L, i);
        assertOk(s.call("TS.ALTER", "l:alter", "RETENTION", 300, "CHUNK_SIZE", 64, "DUPLICATE_POLICY", "MAX",
                "LABELS", "t", "last", "a", "b"));
        add(s, "l:alter", T0 + 990, 200);
        add(s, "l:alter", T0 + 990, 150);
        expected.put("l:alter", (T0 + 990) + " 200");

        // uncompressed chunks: an upsert at the last sample, then its deletion
        create(s, "l:unc", "ENCODING", "UNCOMPRESSED", "CHUNK_SIZE", 64, "DUPLICATE_POLICY", "SUM");
        for (int i = 0; i < 100; i++) add(s, "l:unc", T0 + i, "0.1");
        add(s, "l:unc", T0 + 99, "0.2");
        expected.put("l:unc", (T0 + 99) + " 0.30000000000000004");
        check1(s, "l:unc", "an upsert");
        assertEquals(1, integer(s.call("TS.DEL", "l:unc", T0 + 99, T0 + 99)));
        expected.put("l:unc", (T0 + 98) + " 0.1");
    }

    /** More writes of every kind, with a replica listening. */
    private void writeAgain(ValkeyServer s) {
        for (int i = 300; i < 320; i++) add(s, "l:append", T0 + i * 10L, "nan");
        expected.put("l:append", (T0 + 3190) + " nan");
        assertEquals(2, array(s.call("TS.MADD", "l:madd1", T0 + 200, 5, "l:madd2", T0 + 500, -1)).size());
        expected.put("l:madd2", (T0 + 500) + " -1");
        check1(s, "l:madd1", "a MADD into a BLOCK series");
        add(s, "l:dup:LAST", T0 + 59, 8);
        expected.put("l:dup:LAST", (T0 + 59) + " 8");
        assertEquals(T0 + 59, integer(s.call("TS.INCRBY", "l:dup:SUM", 1, "TIMESTAMP", T0 + 59)));
        expected.put("l:dup:SUM", (T0 + 59) + " 15");
        assertEquals(102, integer(s.call("TS.DEL", "l:older", 0, T0 + 2000)));
        expected.put("l:older", "");
        add(s, "l:delall", T0 + 7, 7);
        expected.put("l:delall", T0 + 7 + " 7");
        assertEquals(1, integer(s.call("TS.DEL", "l:one", T0, T0)));
        expected.put("l:one", "");
        for (int i = 250; i < 300; i++) add(s, "l:src", T0 + i * 7L, 2);
        expected.put("l:src", (T0 + 299 * 7) + " 2");
        expected.put("l:dst", (T0 + 1900) + " 28"); // 1904..1995 step 7
        for (int i = 500; i < 600; i++) add(s, "l:retention", T0 + i * 3L, -i);
        expected.put("l:retention", (T0 + 1797) + " -599");
    }

    /** The samples this test expects, then every series against its chunks. */
    private void check(ValkeyServer s, String when) {
        for (String k : expected.keySet()) check1(s, k, when);
        List<String> keys = new ArrayList<>();
        for (Object k : (List<?>) s.call("KEYS", "*").plain()) keys.add((String) k);
        Map<String, Object> gets = new LinkedHashMap<>();
        for (String k : keys) {
            Object get = s.call("TS.GET", k).plain();
            Object last = s.call("TS.REVRANGE", k, "-", "+", "COUNT", 1).plain();
            List<?> rows = (List<?>) last;
            assertEquals(rows.isEmpty() ? List.of() : rows.get(0), get, when + ": TS.GET " + k + " against its chunks");
            assertEquals(byValue(get), byValue(s.call3("TS.GET", k).plain()), when + ": TS.GET " + k + " in RESP3");
            gets.put(k, get);
        }
        // TS.MGET: the same sample per series (l:ondup:*, l:incr and the copies carry the label too)
        int rows = 0;
        for (Object row : (List<?>) s.call("TS.MGET", "FILTER", "t=last").plain()) {
            List<?> r = (List<?>) row;
            assertEquals(gets.get((String) r.get(0)), r.get(2), when + ": TS.MGET row of " + r.get(0));
            rows++;
        }
        assertEquals(keys.size(), rows, when + ": every series has the label");
        // LATEST on the destination keeps its own path: the open bucket's sum from the source
        List<?> src = (List<?>) s.call("TS.RANGE", "l:src", expectedTs("l:src") / 100 * 100, "+").plain();
        double sum = 0;
        for (Object r : src) sum += Double.parseDouble((String) ((List<?>) r).get(1));
        assertEquals(List.of(expectedTs("l:src") / 100 * 100, fmt(sum)), s.call("TS.GET", "l:dst", "LATEST").plain(),
                when + ": TS.GET l:dst LATEST");
    }

    private long expectedTs(String key) {
        return Long.parseLong(expected.get(key).split(" ")[0]);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** A TS.GET reply of either protocol as [ts, the value's bits] ([] for none). */
    private static List<?> byValue(Object o) {
        List<?> l = (List<?>) o;
        if (l.isEmpty()) return l;
        double v = l.get(1) instanceof String t ? num(t) : ((Number) l.get(1)).doubleValue();
        return List.of(l.get(0), Double.doubleToLongBits(v));
    }

    private void check1(ValkeyServer s, String k, String when) {
        String want = expected.get(k);
        List<?> got = (List<?>) s.call("TS.GET", k).plain();
        if (want.isEmpty()) {
            assertEquals(List.of(), got, when + ": TS.GET " + k);
            return;
        }
        String[] p = want.split(" ");
        assertEquals(Long.parseLong(p[0]), got.get(0), when + ": TS.GET " + k + " timestamp");
        assertEquals(Double.doubleToLongBits(num(p[1])), Double.doubleToLongBits(num((String) got.get(1))),
                when + ": TS.GET " + k + " value " + got.get(1));
    }

    private static double num(String v) {
        return v.equalsIgnoreCase("nan") ? Double.NaN : Double.parseDouble(v);
    }
}
