package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.timeseries.DuplicatePolicy;
import redis.clients.jedis.timeseries.TSAddParams;
import redis.clients.jedis.timeseries.TSAlterParams;
import redis.clients.jedis.timeseries.TSCreateParams;
import redis.clients.jedis.timeseries.TSDecrByParams;
import redis.clients.jedis.timeseries.TSElement;
import redis.clients.jedis.timeseries.TSGetParams;
import redis.clients.jedis.timeseries.TSIncrByParams;
import redis.clients.jedis.timeseries.TSInfo;
import redis.clients.jedis.timeseries.TSRangeParams;

/**
 * Drives the module through Jedis' own time-series API, over RESP2 and RESP3, so that a real
 * client's reply parsing (TSElement, TSInfo, integer and list replies) is exercised.
 */
class JedisApiIT extends ServerTests {
    /** Both protocols; the client is looked up in the test (JUnit would close an AutoCloseable argument). */
    static Stream<String> clients() {
        return Stream.of("RESP2", "RESP3");
    }

    static UnifiedJedis jedis(String protocol) {
        return protocol.equals("RESP3") ? server.client3() : server.client();
    }

    private static Map.Entry<String, TSElement> sample(String key, long ts, double v) {
        return new AbstractMap.SimpleEntry<>(key, new TSElement(ts, v));
    }

    @ParameterizedTest
    @MethodSource("clients")
    void createAndInfo(String protocol) {
        UnifiedJedis j = jedis(protocol);
        assertEquals("OK", j.tsCreate("k", TSCreateParams.createParams().retention(60000).uncompressed()
                .chunkSize(128).duplicatePolicy(DuplicatePolicy.LAST).label("room", "kitchen").label("unit", "C")));
        TSInfo info = j.tsInfo("k");
        assertEquals(0L, info.getIntegerProperty("totalSamples"));
        assertEquals(60000L, info.getIntegerProperty("retentionTime"));
        assertEquals(128L, info.getIntegerProperty("chunkSize"));
        assertEquals("uncompressed", String.valueOf(info.getProperty("chunkType")));
        assertEquals("last", String.valueOf(info.getProperty("duplicatePolicy")).toLowerCase());
        assertEquals(Map.of("room", "kitchen", "unit", "C"), info.getLabels());
        assertTrue(info.getRules() == null || info.getRules().isEmpty());
        assertTrue(info.getIntegerProperty("memoryUsage") > 0);
        assertEquals("OK", j.tsCreate("plain"));
        assertThrows(JedisDataException.class, () -> j.tsCreate("plain"));
    }

    @ParameterizedTest
    @MethodSource("clients")
    void addAndRange(String protocol) {
        UnifiedJedis j = jedis(protocol);
        assertEquals(1000L, j.tsAdd("k", 1000, 1.5));
        assertEquals(2000L, j.tsAdd("k", 2000, 100));
        assertEquals(3000L, j.tsAdd("k", 3000, -2.25, TSCreateParams.createParams().retention(5)));
        long before = System.currentTimeMillis();
        long now = j.tsAdd("k", 7.0);
        assertTrue(now >= before - 1000 && now <= System.currentTimeMillis() + 1000, "* timestamp " + now);
        assertEquals(List.of(new TSElement(1000, 1.5), new TSElement(2000, 100), new TSElement(3000, -2.25)),
                j.tsRange("k", 0, 5000));
        assertEquals(List.of(new TSElement(3000, -2.25), new TSElement(2000, 100), new TSElement(1000, 1.5)),
                j.tsRevRange("k", 0, 5000));
        assertEquals(new TSElement(now, 7.0), j.tsGet("k"));
        assertEquals(new TSElement(now, 7.0), j.tsGet("k", TSGetParams.getParams().latest()));
        assertEquals(0L, j.tsInfo("k").getIntegerProperty("retentionTime"), "options ignored on existing key");
    }

    @ParameterizedTest
    @MethodSource("clients")
    void addParamsAndDuplicates(String protocol) {
        UnifiedJedis j = jedis(protocol);
        assertEquals(10L, j.tsAdd("k", 10, 5, TSAddParams.addParams().duplicatePolicy(DuplicatePolicy.MIN)
                .encoding(redis.clients.jedis.timeseries.EncodingFormat.COMPRESSED).chunkSize(256)
                .labels(Map.of("a", "b"))));
        assertEquals(10L, j.tsAdd("k", 10, 3));
        assertEquals(10L, j.tsAdd("k", 10, 4, TSAddParams.addParams().onDuplicate(DuplicatePolicy.SUM)));
        assertEquals(List.of(new TSElement(10, 7)), j.tsRange("k", 0, 100));
        TSInfo info = j.tsInfo("k");
        assertEquals(256L, info.getIntegerProperty("chunkSize"));
        assertEquals(Map.of("a", "b"), info.getLabels());
        j.tsCreate("b");
        j.tsAdd("b", 1, 1);
        JedisDataException e = assertThrows(JedisDataException.class, () -> j.tsAdd("b", 1, 2));
        assertTrue(e.getMessage().contains("DUPLICATE_POLICY is set to BLOCK mode"), e.getMessage());
        assertEquals(1L, j.tsAdd("i", 1, 1, TSAddParams.addParams().duplicatePolicy(DuplicatePolicy.LAST).ignore(10, 1)));
        assertEquals(1L, j.tsAdd("i", 5, 1.5), "ignored: replies the last timestamp");
    }

    @ParameterizedTest
    @MethodSource("clients")
    void madd(String protocol) {
        UnifiedJedis j = jedis(protocol);
        j.tsCreate("a");
        j.tsCreate("b");
        @SuppressWarnings("unchecked")
        List<Long> r = j.tsMAdd(sample("a", 1, 1), sample("b", 2, 2), sample("a", 3, 3));
        assertEquals(List.of(1L, 2L, 3L), r);
        assertEquals(List.of(new TSElement(1, 1), new TSElement(3, 3)), j.tsRange("a", 0, 10));
    }

    @ParameterizedTest
    @MethodSource("clients")
    void incrDecr(String protocol) {
        UnifiedJedis j = jedis(protocol);
        assertEquals(100L, j.tsIncrBy("c", 5.0, 100L));
        assertEquals(200L, j.tsDecrBy("c", 1.5, 200L));
        assertEquals(300L, j.tsIncrBy("c", 1, TSIncrByParams.incrByParams().timestamp(300)));
        assertEquals(400L, j.tsDecrBy("c", 0.5, TSDecrByParams.decrByParams().timestamp(400)));
        assertEquals(new TSElement(400, 4.0), j.tsGet("c"));
        long t = j.tsIncrBy("c", 1.0);
        assertTrue(t >= 400);
        assertEquals(new TSElement(t, 5.0), j.tsGet("c"));
        JedisDataException e = assertThrows(JedisDataException.class, () -> j.tsIncrBy("c", 1.0, 1L));
        assertEquals("TSDB: timestamp must be equal to or higher than the maximum existing timestamp", e.getMessage());
        assertEquals(5L, j.tsIncrBy("n", 2, TSIncrByParams.incrByParams().timestamp(5).retention(99)
                .labels(Map.of("x", "y")).duplicatePolicy(DuplicatePolicy.MAX)));
        TSInfo info = j.tsInfo("n");
        assertEquals(99L, info.getIntegerProperty("retentionTime"));
        assertEquals(Map.of("x", "y"), info.getLabels());
    }

    @ParameterizedTest
    @MethodSource("clients")
    void rangeParams(String protocol) {
        UnifiedJedis j = jedis(protocol);
        j.tsCreate("k", TSCreateParams.createParams().chunkSize(48));
        for (int i = 1; i <= 10; i++) j.tsAdd("k", i * 10L, i);
        assertEquals(List.of(new TSElement(10, 1), new TSElement(20, 2)),
                j.tsRange("k", TSRangeParams.rangeParams(0, 1000).count(2)));
        assertEquals(List.of(new TSElement(100, 10), new TSElement(90, 9)),
                j.tsRevRange("k", TSRangeParams.rangeParams(0, 1000).count(2)));
        assertEquals(List.of(new TSElement(20, 2), new TSElement(50, 5)),
                j.tsRange("k", TSRangeParams.rangeParams(0, 1000).filterByTS(20, 50, 55)));
        assertEquals(List.of(new TSElement(30, 3), new TSElement(40, 4)),
                j.tsRange("k", TSRangeParams.rangeParams(0, 1000).filterByValues(3, 4)));
        assertEquals(List.of(new TSElement(100, 10)),
                j.tsRevRange("k", TSRangeParams.rangeParams().fromTimestamp(95).latest()));
        assertEquals(10, j.tsRange("k", TSRangeParams.rangeParams()).size(), "- and + by default");
    }

    @ParameterizedTest
    @MethodSource("clients")
    void delAndAlter(String protocol) {
        UnifiedJedis j = jedis(protocol);
        j.tsCreate("k", TSCreateParams.createParams().chunkSize(48).labels(Map.of("a", "1")));
        for (int i = 1; i <= 50; i++) j.tsAdd("k", i, i * 1.25);
        assertEquals(20L, j.tsDel("k", 11, 30));
        assertEquals(30, j.tsRange("k", 0, 100).size());
        assertEquals("OK", j.tsAlter("k", TSAlterParams.alterParams().retention(1000).chunkSize(64)
                .duplicatePolicy(DuplicatePolicy.FIRST).labels(Map.of("b", "2"))));
        TSInfo info = j.tsInfo("k");
        assertEquals(1000L, info.getIntegerProperty("retentionTime"));
        assertEquals(64L, info.getIntegerProperty("chunkSize"));
        assertEquals(Map.of("b", "2"), info.getLabels());
        assertEquals("OK", j.tsAlter("k", TSAlterParams.alterParams().labelsReset()));
        Map<String, String> labels = j.tsInfo("k").getLabels();
        assertTrue(labels == null || labels.isEmpty(), "labels reset: " + labels);
    }

    @ParameterizedTest
    @MethodSource("clients")
    void infoDebug(String protocol) {
        UnifiedJedis j = jedis(protocol);
        j.tsCreate("k", TSCreateParams.createParams().chunkSize(48).uncompressed());
        for (int i = 1; i <= 10; i++) j.tsAdd("k", i, i);
        TSInfo info = j.tsInfoDebug("k");
        assertEquals(10L, info.getIntegerProperty("totalSamples"));
        List<Map<String, Object>> chunks = info.getChunks();
        assertFalse(chunks == null || chunks.isEmpty(), "DEBUG lists chunks");
        assertEquals(info.getIntegerProperty("chunkCount").intValue(), chunks.size());
        long samples = 0;
        for (Map<String, Object> c : chunks) {
            assertTrue(c.keySet().containsAll(List.of("startTimestamp", "endTimestamp", "samples", "size",
                    "bytesPerSample")), c.toString());
            samples += ((Number) c.get("samples")).longValue();
        }
        assertEquals(10, samples);
        assertEquals("k", String.valueOf(info.getProperty("keySelfName")));
    }

    @ParameterizedTest
    @MethodSource("clients")
    void errorsAreJedisDataExceptions(String protocol) {
        UnifiedJedis j = jedis(protocol);
        JedisDataException e = assertThrows(JedisDataException.class, () -> j.tsGet("missing"));
        assertEquals("ERR TSDB: the key does not exist", e.getMessage());
        assertThrows(JedisDataException.class, () -> j.tsRange("missing", 0, 1));
        assertThrows(JedisDataException.class, () -> j.tsInfo("missing"));
        assertThrows(JedisDataException.class, () -> j.tsDel("missing", 0, 1));
        assertThrows(JedisDataException.class, () -> j.tsAlter("missing", TSAlterParams.alterParams().retention(1)));
        j.tsCreate("e");
        assertNull(j.tsGet("e"), "an empty series: no sample");
    }
}
