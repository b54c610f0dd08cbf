package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static vts.e2e.Ts.*;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Where RedisTimeSeries 8.10 and its clients expect something we did differently (issue 11):
 * each test pins the reference's reply or error, RESP2 and RESP3.
 */
class ParityIT extends ServerTests {
    static Resp.MapReply map3(Resp.Reply r) {
        assertInstanceOf(Resp.MapReply.class, r, "RESP3 map: " + r);
        return (Resp.MapReply) r;
    }

    // ------------------------------------------------------------ TS.INFO

    @Test
    void infoReportsTheEffectiveDuplicatePolicy() {
        assertOk(call("TS.CREATE", "plain"));
        assertOk(call("TS.CREATE", "own", "DUPLICATE_POLICY", "MIN"));
        call("TS.ADD", "auto", 1, 1);
        assertEquals("block", text(info(server, "plain").get("duplicatePolicy")));
        assertEquals("block", text(info(server, "auto").get("duplicatePolicy")));
        assertEquals("min", text(info(server, "own").get("duplicatePolicy")));
        assertEquals("block", text(map3(call3("TS.INFO", "plain")).get("duplicatePolicy")));
        try {
            assertOk(call("CONFIG", "SET", "timeseries.ts-duplicate-policy", "last"));
            assertEquals("last", text(info(server, "plain").get("duplicatePolicy")), "follows the module default");
            assertEquals("min", text(info(server, "own").get("duplicatePolicy")));
        } finally {
            assertOk(call("CONFIG", "SET", "timeseries.ts-duplicate-policy", "block"));
        }
    }

    @Test
    void infoDebugBytesPerSampleIsADoubleInResp3() {
        for (int i = 0; i < 10; i++) call("TS.ADD", "k", i, i);
        Resp.MapReply info = map3(call3("TS.INFO", "k", "DEBUG"));
        Resp.Arr chunks = array(info.get("Chunks"));
        assertEquals(1, chunks.size());
        Resp.MapReply chunk = map3(chunks.get(0));
        assertInstanceOf(Resp.Dbl.class, chunk.get("bytesPerSample"), "a double in RESP3: " + chunk);
        double size = integer(chunk.get("size"));
        assertEquals(size / 10, ((Resp.Dbl) chunk.get("bytesPerSample")).value(), 1e-9);
        // RESP2 keeps the text form
        Resp.Arr c2 = array(array(info(server, "k", "DEBUG").get("Chunks")).get(0));
        assertInstanceOf(Resp.Simple.class, c2.get(9), "RESP2 bytesPerSample is a simple string: " + c2);
        assertEquals(size / 10, Double.parseDouble(text(c2.get(9))), 1e-9);
    }

    // ------------------------------------------------------------ EMPTY without AGGREGATION

    @Test
    void emptyWithoutAggregationIsIgnored() {
        assertOk(call("TS.CREATE", "k", "LABELS", "l", "v"));
        for (int i = 0; i < 5; i++) call("TS.ADD", "k", i * 10, i);
        assertOk(call("TS.CREATE", "other", "LABELS", "l", "v"));
        call("TS.ADD", "other", 5, 1);
        List<String> plain = samples2(call("TS.RANGE", "k", "-", "+"));
        assertEquals(plain, samples2(call("TS.RANGE", "k", "-", "+", "EMPTY")));
        assertEquals(plain.subList(0, 2), samples2(call("TS.RANGE", "k", "-", "+", "EMPTY", "COUNT", 2)));
        assertEquals(List.of("40:4", "30:3"), samples2(call("TS.REVRANGE", "k", "-", "+", "COUNT", 2, "EMPTY")));
        assertEquals(samples3(call3("TS.RANGE", "k", "-", "+")), samples3(call3("TS.RANGE", "k", "-", "+", "EMPTY")));
        assertEquals(call("TS.MRANGE", "-", "+", "FILTER", "l=v"), call("TS.MRANGE", "-", "+", "EMPTY", "FILTER", "l=v"));
        assertEquals(call("TS.MREVRANGE", "-", "+", "FILTER", "l=v"), call("TS.MREVRANGE", "-", "+", "EMPTY", "FILTER", "l=v"));
        // with AGGREGATION, EMPTY must still follow it
        assertError("ERR TSDB: EMPTY flag should be the 3rd or 5th flag after AGGREGATION flag",
                call("TS.RANGE", "k", "-", "+", "EMPTY", "AGGREGATION", "avg", 10));
    }

    // ------------------------------------------------------------ IGNORE after LABELS (node-redis)

    @Test
    void ignoreAfterLabelsIsTheOption() {
        assertOk(call("TS.CREATE", "c", "DUPLICATE_POLICY", "LAST", "LABELS", "room", "a", "IGNORE", 10, 0.5));
        assertEquals(10, integer(info(server, "c").get("ignoreMaxTimeDiff")));
        assertEquals("0.5", text(info(server, "c").get("ignoreMaxValDiff")));
        assertEquals(Map.of("room", "a"), labels(info(server, "c").get("labels")));
        assertEquals(List.of("room"), array(call("TS.QUERYLABELS", "LABELS")).plain(), "IGNORE is no label");
        assertEquals(1, integer(call("TS.ADD", "c", 1, 1)));
        assertEquals(1, integer(call("TS.ADD", "c", 5, 1.2)), "ignored: within 10 ms and 0.5");
        assertEquals(List.of("1:1"), samples2(call("TS.RANGE", "c", "-", "+")));

        assertEquals(7, integer(call("TS.ADD", "a", 7, 1, "DUPLICATE_POLICY", "LAST", "LABELS", "x", "y", "IGNORE", 3, 1)));
        assertEquals(3, integer(info(server, "a").get("ignoreMaxTimeDiff")));
        assertEquals(Map.of("x", "y"), labels(info(server, "a").get("labels")));

        assertOk(call("TS.ALTER", "a", "LABELS", "x", "z", "IGNORE", 4, 2));
        assertEquals(4, integer(info(server, "a").get("ignoreMaxTimeDiff")));
        assertEquals(Map.of("x", "z"), labels(info(server, "a").get("labels")));

        // an even list after LABELS is labels only: a label may be named IGNORE
        assertOk(call("TS.CREATE", "l", "LABELS", "IGNORE", "5", "k", "v"));
        assertEquals(Map.of("IGNORE", "5", "k", "v"), labels(info(server, "l").get("labels")));
        assertEquals(0, integer(info(server, "l").get("ignoreMaxTimeDiff")));
        assertError("ERR TSDB: Couldn't parse IGNORE", call("TS.CREATE", "bad", "LABELS", "a", "b", "IGNORE", "x", 1));
        assertEquals(0, integer(call("EXISTS", "bad")));
    }

    // ------------------------------------------------------------ TS.INCRBY/DECRBY with IGNORE

    @Test
    void incrByAppliesIgnoreAsLast() {
        for (String policy : new String[] {null, "BLOCK", "SUM"}) {
            call("DEL", "c");
            if (policy == null) assertOk(call("TS.CREATE", "c", "IGNORE", 10, 1));
            else assertOk(call("TS.CREATE", "c", "IGNORE", 10, 1, "DUPLICATE_POLICY", policy));
            assertEquals(100, integer(call("TS.INCRBY", "c", 5, "TIMESTAMP", 100)));
            assertEquals(100, integer(call("TS.INCRBY", "c", 0.5, "TIMESTAMP", 105)), "ignored (" + policy + ")");
            assertEquals(100, integer(call("TS.DECRBY", "c", 1, "TIMESTAMP", 110)), "ignored: both limits inclusive");
            assertEquals(List.of("100:5"), samples2(call("TS.RANGE", "c", "-", "+")));
            assertEquals(106, integer(call("TS.INCRBY", "c", 2, "TIMESTAMP", 106)), "a change above the value limit");
            assertEquals(117, integer(call("TS.INCRBY", "c", 0.5, "TIMESTAMP", 117)), "a step above the time limit");
            assertEquals(List.of("100:5", "106:7", "117:7.5"), samples2(call("TS.RANGE", "c", "-", "+")));
        }
        // created by the increment itself, with IGNORE among its options
        long t = integer(call("TS.INCRBY", "n", 1, "TIMESTAMP", 50, "IGNORE", 10, 5));
        assertEquals(50, t);
        assertEquals(50, integer(call("TS.INCRBY", "n", 1, "TIMESTAMP", 51, "IGNORE", 10, 5)));
        assertEquals(List.of("50:1"), samples2(call("TS.RANGE", "n", "-", "+")));
        // NaN cannot be incremented (the reference's error)
        call("TS.ADD", "nan", 1, "nan");
        assertError("ERR TSDB: cannot increment/decrement NaN value", call("TS.INCRBY", "nan", 1, "TIMESTAMP", 2));
        assertEquals(1, integer(info(server, "nan").get("totalSamples")));
    }

    // ------------------------------------------------------------ EXCLUDEEMPTY

    static List<Object> mrangeKeys(Resp.Reply r) {
        List<Object> keys = new java.util.ArrayList<>();
        for (Resp.Reply series : array(r).items()) keys.add(text(array(series).get(0)));
        return keys;
    }

    @Test
    void excludeEmptyLeavesOutSeriesWithoutSamplesInTheReply() {
        assertOk(call("TS.CREATE", "a", "LABELS", "l", "v"));
        assertOk(call("TS.CREATE", "b", "LABELS", "l", "v"));
        assertOk(call("TS.CREATE", "c", "LABELS", "l", "v"));
        assertOk(call("TS.CREATE", "d", "LABELS", "l", "v"));
        assertOk(call("TS.CREATE", "src"));
        assertOk(call("TS.CREATERULE", "src", "d", "AGGREGATION", "sum", 100));
        for (int t : new int[] {110, 150}) call("TS.ADD", "a", t, 1);
        call("TS.ADD", "b", 50, 1);
        call("TS.ADD", "b", 500, 3);
        call("TS.ADD", "c", 120, "nan");
        call("TS.ADD", "src", 130, 5); // d's open bucket [100, 200): only LATEST reports it
        assertEquals(List.of("a", "b", "c", "d"), mrangeKeys(call("TS.MRANGE", 100, 200, "FILTER", "l=v")));
        List<Object> plain = List.of("a", "c"); // raw NaN samples are samples
        assertEquals(plain, mrangeKeys(call("TS.MRANGE", 100, 200, "EXCLUDEEMPTY", "FILTER", "l=v")));
        assertEquals(plain, mrangeKeys(call("TS.MRANGE", 100, 200, "FILTER", "l=v", "EXCLUDEEMPTY")));
        assertEquals(plain, mrangeKeys(call("TS.MRANGE", 100, 200, "WITHLABELS", "excludeempty", "COUNT", 5, "FILTER", "l=v")));
        assertEquals(plain, mrangeKeys(call("TS.MREVRANGE", 100, 200, "FILTER", "l=v", "EXCLUDEEMPTY")));
        assertEquals(List.of("a", "c", "d"), mrangeKeys(call("TS.MRANGE", 100, 200, "LATEST", "FILTER", "l=v", "EXCLUDEEMPTY")));
        // decided on the reply: a bucket of NaN only is no bucket of avg; twa's EMPTY buckets are buckets
        assertEquals(List.of("a"), mrangeKeys(call("TS.MRANGE", 100, 200, "AGGREGATION", "avg", 50, "FILTER", "l=v", "EXCLUDEEMPTY")));
        assertEquals(List.of("a", "c"),
                mrangeKeys(call("TS.MRANGE", 100, 200, "AGGREGATION", "countnan", 50, "FILTER", "l=v", "EXCLUDEEMPTY")));
        assertEquals(List.of("a", "b"),
                mrangeKeys(call("TS.MRANGE", 100, 200, "AGGREGATION", "twa", 50, "EMPTY", "FILTER", "l=v", "EXCLUDEEMPTY")));
        assertEquals(List.of(), mrangeKeys(call("TS.MRANGE", 1000, 2000, "FILTER", "l=v", "EXCLUDEEMPTY")));
        // RESP3: the map holds only the others
        Resp.MapReply m = map3(call3("TS.MRANGE", 100, 200, "FILTER", "l=v", "EXCLUDEEMPTY"));
        assertEquals(List.of("a", "c"), m.keys());
        // refused with GROUPBY, wherever it stands
        String err = "ERR TSDB: EXCLUDEEMPTY is not allowed with GROUPBY";
        assertError(err, call("TS.MRANGE", "-", "+", "EXCLUDEEMPTY", "FILTER", "l=v", "GROUPBY", "l", "REDUCE", "max"));
        assertError(err, call("TS.MRANGE", "-", "+", "FILTER", "l=v", "GROUPBY", "l", "REDUCE", "max", "EXCLUDEEMPTY"));
        // a GROUPBY label named EXCLUDEEMPTY is a label
        assertEquals(0, array(call("TS.MRANGE", "-", "+", "FILTER", "l=v", "GROUPBY", "EXCLUDEEMPTY", "REDUCE", "max")).size(),
                "no series has the label EXCLUDEEMPTY: no group");
    }

    // ------------------------------------------------------------ retention and TS.INFO

    @Test
    void infoCountsWhatRangeReturnsAfterRetention() {
        for (int size : new int[] {48, 128, 4096}) {
            call("DEL", "r");
            assertOk(call("TS.CREATE", "r", "RETENTION", 100, "CHUNK_SIZE", size));
            java.util.Random rnd = new java.util.Random(size);
            long t = 0;
            for (int i = 0; i < 600; i++) {
                t += 1 + rnd.nextInt(3);
                call("TS.ADD", "r", t, rnd.nextInt(1000) / 10.0);
                if (i % 37 == 0 || i == 599) {
                    Resp.Arr range = array(call("TS.RANGE", "r", "-", "+"));
                    Map<String, Resp.Reply> info = info(server, "r");
                    assertEquals(range.size(), integer(info.get("totalSamples")), "size " + size + " at " + t);
                    assertEquals(integer(array(range.get(0)).get(0)), integer(info.get("firstTimestamp")), "size " + size);
                    assertEquals(t, integer(info.get("lastTimestamp")));
                    Resp.MapReply i3 = map3(call3("TS.INFO", "r"));
                    assertEquals(range.size(), integer(i3.get("totalSamples")));
                }
            }
        }
        // a jump leaves only the newest sample in the window
        call("TS.ADD", "r", 1_000_000, 1);
        assertEquals(1, integer(info(server, "r").get("totalSamples")));
        assertEquals(1_000_000, integer(info(server, "r").get("firstTimestamp")));
    }

    // ------------------------------------------------------------ TS.DEL on a source past its retention

    @Test
    void delOnASourceBeyondItsRetentionIsRefused() {
        String err = "ERR TSDB: When a series has compactions, deleting samples or compaction buckets beyond the "
                + "series retention period is not possible";
        assertOk(call("TS.CREATE", "src", "RETENTION", 100));
        assertOk(call("TS.CREATE", "d50"));
        assertOk(call("TS.CREATE", "d60"));
        assertOk(call("TS.CREATERULE", "src", "d50", "AGGREGATION", "sum", 50));
        for (int t = 0; t <= 300; t += 10) call("TS.ADD", "src", t, 1);
        Resp.Reply src = call("TS.RANGE", "src", "-", "+");
        Resp.Reply d50 = call("TS.RANGE", "d50", "-", "+");
        assertError(err, call("TS.DEL", "src", 150, 300)); // older than last - retention = 200
        assertError(err, call("TS.DEL", "src", "-", "+"));
        assertEquals(src, call("TS.RANGE", "src", "-", "+"), "nothing changed");
        assertEquals(d50, call("TS.RANGE", "d50", "-", "+"));
        assertEquals(1, integer(call("TS.DEL", "src", 210, 210)), "its bucket [200, 250) is inside the window");
        assertOk(call("TS.CREATERULE", "src", "d60", "AGGREGATION", "max", 60));
        assertError(err, call("TS.DEL", "src", 220, 220)); // its 60 ms bucket starts at 180
        assertEquals(1, integer(call("TS.DEL", "src", 240, 240)));
        // without rules, or without a retention, TS.DEL is not limited
        assertOk(call("TS.CREATE", "plain", "RETENTION", 100));
        for (int t = 0; t <= 300; t += 10) call("TS.ADD", "plain", t, 1);
        assertInstanceOf(Resp.Int.class, call("TS.DEL", "plain", 0, 300));
        assertOk(call("TS.ALTER", "src", "RETENTION", 0));
        assertInstanceOf(Resp.Int.class, call("TS.DEL", "src", "-", "+"));
        assertEquals(0, array(call("TS.RANGE", "src", "-", "+")).size());
    }

    // ------------------------------------------------------------ twa where the range cuts a bucket

    @Test
    void twaAveragesOnlyThePartOfABucketInsideTheRange() {
        for (int i = 0; i < 100; i++) call("TS.ADD", "s", i, i % 7);
        assertEquals(List.of("10:3"), samples2(call("TS.RANGE", "s", 10, 10, "AGGREGATION", "twa", 10)));
        List<String> two = samples2(call("TS.RANGE", "s", 0, 10, "AGGREGATION", "twa", 10));
        assertEquals(2, two.size());
        assertEquals("10:3", two.get(1), "the bucket at 10 is cut to [10, 10]");
        // the bucket at 0 lies wholly inside: as before, interpolated to 10 with the sample there
        assertEquals(two.get(0), samples2(call("TS.RANGE", "s", 0, 9, "AGGREGATION", "twa", 10)).get(0));
        assertEquals(List.of("10:3"), samples2(call("TS.REVRANGE", "s", 0, 10, "AGGREGATION", "twa", 10)).subList(0, 1));
        // a bucket cut on both sides: the line through the samples, averaged over [12, 20]
        assertOk(call("TS.CREATE", "a"));
        call("TS.MADD", "a", 10, 100, "a", 13, 110, "a", 15, 115, "a", 19, 109, "a", 25, 130);
        double at12 = 100 + 2 * 10 / 3.0, at20 = 109 + 21 / 6.0;
        double area = (at12 + 110) / 2 + (110 + 115) + (115 + 109) * 2 + (109 + at20) / 2;
        double got = Double.parseDouble(text(array(array(call("TS.RANGE", "a", 12, 20, "AGGREGATION", "twa", 100)).get(0)).get(1)));
        assertEquals(area / 8, got, 1e-9);
        // compaction buckets are whole: a twa rule writes the bucket's full average
        assertOk(call("TS.CREATE", "c"));
        assertOk(call("TS.CREATE", "d"));
        assertOk(call("TS.CREATERULE", "c", "d", "AGGREGATION", "twa", 100));
        call("TS.MADD", "c", 10, 100, "c", 13, 110, "c", 15, 115, "c", 19, 109, "c", 25, 130, "c", 200, 1);
        String whole = samples2(call("TS.RANGE", "c", "-", "+", "AGGREGATION", "twa", 100)).get(0);
        assertEquals(List.of(whole), samples2(call("TS.RANGE", "d", "-", "+")));
        assertEquals(whole, samples2(call("TS.RANGE", "c", 0, 99, "AGGREGATION", "twa", 100)).get(0), "not cut at 99");
    }

    // ------------------------------------------------------------ EMPTY towards the range's ends

    static List<Long> bucketTimes(Resp.Reply r) {
        List<Long> out = new java.util.ArrayList<>();
        for (Resp.Reply row : array(r).items()) out.add(integer(array(row).get(0)));
        return out;
    }

    @Test
    void emptyReportsTheSameBucketsForEveryAggregator() {
        for (int t = 0; t <= 50; t += 10) call("TS.ADD", "e", t, t / 10 + 1);
        call("TS.ADD", "e", 100, 9);
        String[] lists = {"sum", "max", "count", "last", "twa", "avg", "sum,max,count,last", "twa,last", "last,twa,min"};
        for (String cmd : new String[] {"TS.RANGE", "TS.REVRANGE"}) {
            for (Object[] range : new Object[][] {{0, 80}, {25, 80}, {25, 55}, {0, "+"}, {"-", 33}}) {
                List<Long> want = null;
                for (String list : lists) {
                    List<Long> got = bucketTimes(call(cmd, "e", range[0], range[1], "AGGREGATION", list, 10, "EMPTY"));
                    if (want == null) want = got;
                    assertEquals(want, got, cmd + " " + List.of(range) + " " + list);
                }
            }
        }
        // up to the range's end: the series has a sample after 80
        assertEquals(List.of("0:1", "10:2", "20:3", "30:4", "40:5", "50:6", "60:0", "70:0", "80:0"),
                samples2(call("TS.RANGE", "e", 0, 80, "AGGREGATION", "sum", 10, "EMPTY")));
        // from the bucket holding the range's start: last carries the sample before it forward
        List<String> last = samples2(call("TS.RANGE", "e", 25, 80, "AGGREGATION", "last", 10, "EMPTY"));
        assertEquals(List.of("20:3", "30:4", "40:5", "50:6", "60:6", "70:6", "80:6"), last);
        Resp.Arr multi = array(call("TS.REVRANGE", "e", 25, 80, "AGGREGATION", "count,last", 10, "EMPTY"));
        assertEquals(List.of(80L, 70L, 60L, 50L, 40L, 30L, 20L), bucketTimes(multi));
        assertEquals("0", text(array(multi.get(6)).get(1)), "count of the empty bucket at 20");
        assertEquals("3", text(array(multi.get(6)).get(2)), "last carries the sample at 20 forward");
        // no sample after the range's end: nothing past the last bucket with samples
        assertEquals(List.of(0L, 10L, 20L, 30L, 40L, 50L, 100L),
                bucketTimes(call("TS.RANGE", "e", 0, 200, "AGGREGATION", "sum", 10)));
        assertEquals(11, array(call("TS.RANGE", "e", 0, 200, "AGGREGATION", "sum", 10, "EMPTY")).size());
    }
}
