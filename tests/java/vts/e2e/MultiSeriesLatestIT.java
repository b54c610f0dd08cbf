package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static vts.e2e.Ts.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * LATEST in TS.MGET, TS.MRANGE and TS.MREVRANGE: on a compaction destination each series
 * reports what TS.GET / TS.RANGE / TS.REVRANGE ... LATEST report for it (the open bucket,
 * computed from the source); on any other series LATEST changes nothing.
 */
class MultiSeriesLatestIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension().flushAllBeforeEach();

    static Resp.Reply call(Object... a) { return valkey.server().call(a); }

    static Resp.Reply call3(Object... a) { return valkey.server().call3(a); }

    /** src with two rules (sum/10 and twa/7), a plain series; all destinations and plain carry g=1. */
    static void setUp() {
        assertOk(call("TS.CREATE", "src", "LABELS", "g", "0"));
        assertOk(call("TS.CREATE", "d:sum", "LABELS", "g", "1", "kind", "sum"));
        assertOk(call("TS.CREATE", "d:twa", "LABELS", "g", "1", "kind", "twa"));
        assertOk(call("TS.CREATE", "plain", "LABELS", "g", "1", "kind", "plain"));
        assertOk(call("TS.CREATERULE", "src", "d:sum", "AGGREGATION", "sum", 10));
        assertOk(call("TS.CREATERULE", "src", "d:twa", "AGGREGATION", "twa", 7));
        for (long t = 1; t <= 35; t += 2) {
            call("TS.ADD", "src", t, t * 1.5);
            call("TS.ADD", "plain", t, t);
        }
    }

    /** The per-series rows of an MGET/MRANGE reply (RESP2): key -> third element. */
    static List<Object> rows(Resp.Reply r) {
        List<Object> out = new ArrayList<>();
        for (Resp.Reply row : array(r).items()) {
            Resp.Arr a = (Resp.Arr) row;
            out.add(List.of(text(a.get(0)), a.get(2).plain()));
        }
        return out;
    }

    static List<Object> expectedRows(String cmd, Object... args) {
        List<Object> out = new ArrayList<>();
        for (String k : List.of("d:sum", "d:twa", "plain")) {
            List<Object> a = new ArrayList<>(List.of(cmd, k));
            a.addAll(List.of(args));
            out.add(List.of(k, call(a.toArray()).plain()));
        }
        return out;
    }

    @Test
    void mgetLatest() {
        setUp();
        assertEquals("30:148.5", sample2(call("TS.GET", "d:sum", "LATEST")), "sanity: (31+33+35)*1.5");
        assertEquals(expectedRows("TS.GET", "LATEST"), rows(call("TS.MGET", "LATEST", "FILTER", "g=1")));
        assertEquals(expectedRows("TS.GET"), rows(call("TS.MGET", "FILTER", "g=1")));
        // RESP3 and the label options
        Resp.MapReply m = assertInstanceOf(Resp.MapReply.class, call3("TS.MGET", "LATEST", "WITHLABELS", "FILTER", "g=1"));
        assertEquals(List.of("d:sum", "d:twa", "plain"), m.keys());
        for (String k : m.keys()) {
            Resp.Arr row = (Resp.Arr) m.get(k);
            assertEquals(call3("TS.GET", k, "LATEST").plain(), row.get(1).plain(), k);
        }
        // an empty open bucket: the last written sample, as TS.GET LATEST
        assertOk(call("TS.CREATE", "e", "LABELS", "g", "2"));
        assertOk(call("TS.CREATE", "e:max", "LABELS", "g", "3"));
        assertOk(call("TS.CREATERULE", "e", "e:max", "AGGREGATION", "max", 10));
        call("TS.ADD", "e", 1, 5);
        call("TS.ADD", "e", 11, "nan");
        assertEquals(List.of(List.of("e:max", List.of(0L, "5"))), rows(call("TS.MGET", "LATEST", "FILTER", "g=3")));
        assertEquals(call("TS.GET", "e:max", "LATEST").plain(), List.of(0L, "5"));
    }

    @Test
    void mrangeAndMrevrangeLatest() {
        setUp();
        Object[][] queries = {
            {"-", "+"},
            {"-", "+", "COUNT", 2},
            {0, 29},
            {25, "+", "FILTER_BY_VALUE", 40, 1000},
            {"-", "+", "AGGREGATION", "max", 20},
            {"-", "+", "AGGREGATION", "count", 5, "EMPTY"},
            {"-", "+", "FILTER_BY_TS", 0, 28, 30},
        };
        for (Object[] q : queries) {
            for (String[] cmds : new String[][] {{"TS.MRANGE", "TS.RANGE"}, {"TS.MREVRANGE", "TS.REVRANGE"}}) {
                List<Object> m = new ArrayList<>(List.of(cmds[0], q[0], q[1], "LATEST"));
                m.addAll(List.of(q).subList(2, q.length));
                m.addAll(List.of("FILTER", "g=1"));
                List<Object> single = new ArrayList<>(List.of(q[0], q[1], "LATEST"));
                single.addAll(List.of(q).subList(2, q.length));
                assertEquals(expectedRows(cmds[1], single.toArray()), rows(call(m.toArray())), m.toString());
            }
        }
        // without LATEST the open bucket is not there
        assertEquals(expectedRows("TS.RANGE", "-", "+"), rows(call("TS.MRANGE", "-", "+", "FILTER", "g=1")));
        // RESP3
        Resp.MapReply m3 = assertInstanceOf(Resp.MapReply.class, call3("TS.MRANGE", "-", "+", "LATEST", "FILTER", "g=1"));
        for (String k : m3.keys()) {
            assertEquals(call3("TS.RANGE", k, "-", "+", "LATEST").plain(), ((Resp.Arr) m3.get(k)).get(2).plain(), k);
        }
        // GROUPBY reduces the series with their open buckets
        Resp.Reply g = call("TS.MRANGE", "-", "+", "LATEST", "FILTER", "g=1", "kind!=plain", "GROUPBY", "g", "REDUCE", "count");
        List<Object> counts = new ArrayList<>();
        for (Resp.Reply s : ((Resp.Arr) ((Resp.Arr) array(g).get(0)).get(2)).items()) counts.add(s.plain());
        // ts 30 is only d:sum's open bucket (d:twa's buckets start at multiples of 7)
        assertEquals(true, counts.contains(List.of(30L, "1")), "open bucket in the group: " + counts);
    }

    /** Random writes (in and out of order) on a source: MGET/MRANGE LATEST equal GET/RANGE LATEST per series. */
    @Test
    void randomAgainstSingleSeriesCommands() {
        Random rnd = new Random(9);
        String[] aggs = {"avg", "sum", "min", "max", "twa", "p50", "last", "std.s", "countall"};
        assertOk(call("TS.CREATE", "src", "LABELS", "g", "0"));
        List<String> keys = new ArrayList<>();
        for (String agg : aggs) {
            String k = "d:" + agg;
            keys.add(k);
            assertOk(call("TS.CREATE", k, "LABELS", "g", "1"));
            assertOk(call("TS.CREATERULE", "src", k, "AGGREGATION", agg, 5 + rnd.nextInt(50)));
        }
        keys.sort(null); // replies list series in key order
        long t = 0;
        for (int round = 0; round < 30; round++) {
            for (int i = 0; i < 20; i++) {
                t += rnd.nextInt(10);
                long ts = rnd.nextInt(5) == 0 ? Math.max(0, t - rnd.nextInt(100)) : t;
                call("TS.ADD", "src", ts, rnd.nextInt(8) == 0 ? "nan" : Double.toString(rnd.nextGaussian() * 100),
                        "ON_DUPLICATE", "LAST");
            }
            List<Object> mget = rows(call("TS.MGET", "LATEST", "FILTER", "g=1"));
            List<Object> mrange = rows(call("TS.MRANGE", "-", "+", "LATEST", "FILTER", "g=1"));
            for (int k = 0; k < keys.size(); k++) {
                String key = keys.get(k);
                assertEquals(List.of(key, call("TS.GET", key, "LATEST").plain()), mget.get(k), key);
                assertEquals(List.of(key, call("TS.RANGE", key, "-", "+", "LATEST").plain()), mrange.get(k), key);
            }
        }
    }
}
