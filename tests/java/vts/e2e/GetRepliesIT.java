package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import vts.bridge.DoubleFormat;

/**
 * TS.GET opens its key in one call into C (native/read.c, vts.bridge.ReadKeys) and writes the
 * value's text straight into the reply. `TS.GET key` and `TS.GET key LATEST` (which, on a
 * series that is no compaction, replies the same) must give the same bytes for every kind of
 * value, in both protocols, pipelined, in MULTI and from scripts; the RESP2 text must be
 * DoubleFormat's of the value written; every error and the empty series must stay as they
 * were; and the key must be looked up once per call (keyspace hits and misses count one).
 */
class GetRepliesIT {
    static ValkeyServer server;
    static final long T0 = 1_700_000_000_000L;
    static final int N = 4000;
    /** key → the value text written last */
    static final Map<String, String> LAST = new java.util.LinkedHashMap<>();

    @BeforeAll
    static void start() {
        server = ValkeyServer.start();
        Random r = new Random(3);
        String[] edges = {"0.001", "-0.001", "0.0009999", "9999999.999", "-9999999.999", "10000000", "10000000.5",
                "999999999999999", "1000000000000000", "-1000000000000000", "0.5", "-0.5", "1", "-1", "0", "-0",
                "nan", "1e300", "-1e300", "4.9e-324", "1.7976931348623157e308", "0.30000000000000004", "99999999.5",
                "100000000.25", "0.0015", "123.456", "-123.4567", "1e-5", "12345678901234", "0.1", "7.125"};
        List<Object[]> load = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            String v = i < edges.length ? edges[i] : switch (i % 8) {
                case 0 -> Double.toString(Double.longBitsToDouble(r.nextLong() & 0x7fefffffffffffffL));
                case 1 -> BigDecimal.valueOf(r.nextLong() >> r.nextInt(64), r.nextInt(16)).toPlainString();
                case 2 -> Long.toString(r.nextLong() >> r.nextInt(64));
                case 3 -> BigDecimal.valueOf(r.nextInt(2_000_000_000) - 1_000_000_000, r.nextInt(4)).toPlainString();
                case 4 -> Double.toString(r.nextDouble() * Math.pow(10, r.nextInt(24) - 8));
                case 5 -> BigDecimal.valueOf(r.nextInt(20_000) - 10_000, 3).toPlainString();
                default -> BigDecimal.valueOf(r.nextInt(2_000_000) - 1_000_000, r.nextInt(7)).toPlainString();
            };
            String k = "g:" + i;
            load.add(i % 5 == 0 ? new Object[] {"TS.CREATE", k, "ENCODING", "UNCOMPRESSED"} : new Object[] {"TS.CREATE", k});
            load.add(new Object[] {"TS.MADD", k, T0 + i, "1.5", k, T0 + i + 1000, v}); 
            LAST.put(k, v);
        }
        // many chunks: the last one is reached through the chunk array
        List<Object> madd = new ArrayList<>(List.of("TS.MADD"));
        for (int i = 0; i < 3000; i++) madd.addAll(List.of("long", T0 + i, BigDecimal.valueOf(i * 7L, 2).toPlainString()));
        load.add(new Object[] {"TS.CREATE", "long", "CHUNK_SIZE", 48});
        load.add(madd.toArray());
        LAST.put("long", BigDecimal.valueOf(2999 * 7L, 2).toPlainString());
        load.add(new Object[] {"TS.CREATE", "empty"});
        load.add(new Object[] {"HSET", "hash", "a", "1"});
        load.add(new Object[] {"TS.CREATE", "src"});
        load.add(new Object[] {"TS.CREATE", "dst"});
        load.add(new Object[] {"TS.CREATERULE", "src", "dst", "AGGREGATION", "sum", 1000});
        for (int i = 0; i < 25; i++) load.add(new Object[] {"TS.ADD", "src", T0 + i * 100, i});
        try (RawResp c = new RawResp(server, 2)) {
            for (Object[] cmd : load) c.send(cmd);
            for (Object[] cmd : load) {
                byte[] reply = c.read();
                assertTrue(!RawResp.isError(reply) && !text(reply).contains("\r\n-"), String.join(" ", strings(cmd)) + ": " + RawResp.show(reply, 200));
            }
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static List<String> keys() {
        List<String> k = new ArrayList<>(LAST.keySet());
        k.addAll(List.of("empty", "hash", "nosuch", "src"));
        return k;
    }

    @Test
    void sameBytesWithAndWithoutLatestInBothProtocols() {
        for (int protocol : new int[] {2, 3}) {
            try (RawResp c = new RawResp(server, protocol)) {
                List<String> keys = keys();
                for (String k : keys) { // pipelined: all sent before the first reply is read
                    c.send("TS.GET", k);
                    c.send("TS.GET", k, "LATEST");
                }
                for (String k : keys) {
                    byte[] plain = c.read(), latest = c.read();
                    assertNull(RawResp.diff(latest, plain), "RESP" + protocol + " TS.GET " + k);
                }
            }
        }
    }

    /** RESP2: the value's text is DoubleFormat's of the value written; errors and empty as before. */
    @Test
    void resp2RepliesAreTheSamplesWritten() {
        try (RawResp c = new RawResp(server, 2)) {
            for (Map.Entry<String, String> e : LAST.entrySet()) {
                String v = e.getValue();
                double d = Double.parseDouble(v.replace("inf", "Infinity").replace("nan", "NaN"));
                long ts = e.getKey().equals("long") ? T0 + 2999 : T0 + Long.parseLong(e.getKey().substring(2)) + 1000;
                String want = "*2\r\n:" + ts + "\r\n+" + DoubleFormat.toString(d) + "\r\n";
                assertEquals(want, text(c.call("TS.GET", e.getKey())), "TS.GET " + e.getKey() + " after " + v);
            }
            assertEquals("*0\r\n", text(c.call("TS.GET", "empty")));
            assertEquals("-ERR TSDB: the key does not exist\r\n", text(c.call("TS.GET", "nosuch")));
            assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
                    text(c.call("TS.GET", "hash")));
            // a compaction without LATEST: its last closed bucket (sum of 0..9, then 10..19)
            assertEquals("*2\r\n:" + (T0 + 1000) + "\r\n+145\r\n", text(c.call("TS.GET", "dst")));
            assertEquals("*2\r\n:" + (T0 + 2000) + "\r\n+110\r\n", text(c.call("TS.GET", "dst", "LATEST")));
        }
    }

    @Test
    void sameBytesInMultiAndScripts() {
        for (int protocol : new int[] {2, 3}) {
            try (RawResp c = new RawResp(server, protocol)) {
                for (String form : new String[] {null, "LATEST"}) {
                    Object[] get1 = form == null ? new Object[] {"TS.GET", "g:40"} : new Object[] {"TS.GET", "g:40", form};
                    Object[] get2 = form == null ? new Object[] {"TS.GET", "empty"} : new Object[] {"TS.GET", "empty", form};
                    c.send("MULTI");
                    c.send(get1);
                    c.send(get2);
                    c.send("EXEC");
                    String script = "return {server.call('TS.GET', KEYS[1]" + (form == null ? "" : ", 'LATEST'")
                            + "), server.pcall('TS.GET', KEYS[2]" + (form == null ? "" : ", 'LATEST'") + ")}";
                    c.send("EVAL", script, 2, "g:41", "nosuch");
                }
                List<byte[]> replies = new ArrayList<>();
                for (int i = 0; i < 10; i++) replies.add(c.read());
                assertNull(RawResp.diff(replies.get(8), replies.get(3)), "RESP" + protocol + " EXEC");
                assertNull(RawResp.diff(replies.get(9), replies.get(4)), "RESP" + protocol + " EVAL");
            }
        }
    }

    /** One lookup per TS.GET: the key is opened once, in C, for the whole command. */
    @Test
    void oneKeyspaceLookupPerCall() {
        // g:16 holds nan, g:21 0.30000000000000004: in RESP2 Java formats them
        String[][] cases = {{"g:40", "hit"}, {"g:16", "hit"}, {"g:21", "hit"}, {"g:0", "hit"}, {"empty", "hit"},
                {"hash", "hit"}, {"nosuch", "miss"}};
        try (RawResp c = new RawResp(server, 2)) {
            for (String[] k : cases) {
                long hits = stat(c, "keyspace_hits"), misses = stat(c, "keyspace_misses");
                c.call("TS.GET", k[0]);
                assertEquals(k[1].equals("hit") ? 1 : 0, stat(c, "keyspace_hits") - hits, "hits after TS.GET " + k[0]);
                assertEquals(k[1].equals("miss") ? 1 : 0, stat(c, "keyspace_misses") - misses, "misses after TS.GET " + k[0]);
            }
        }
    }

    /** An expired series is deleted by the read and reported missing. */
    @Test
    void expiredSeriesIsMissing() throws InterruptedException {
        try (RawResp c = new RawResp(server, 2)) {
            for (String k : new String[] {"exp1", "exp2"}) {
                c.call("TS.ADD", k, T0, 1.5);
                c.call("PEXPIRE", k, 1);
            }
            Thread.sleep(20);
            assertEquals("-ERR TSDB: the key does not exist\r\n", text(c.call("TS.GET", "exp1")));
            assertEquals("-ERR TSDB: the key does not exist\r\n", text(c.call("TS.GET", "exp2", "LATEST")));
            assertEquals(":0\r\n", text(c.call("EXISTS", "exp1", "exp2")));
        }
    }

    private static long stat(RawResp c, String name) {
        for (String line : text(c.call("INFO", "stats")).split("\r\n")) {
            if (line.startsWith(name + ":")) return Long.parseLong(line.substring(name.length() + 1).trim());
        }
        throw new IllegalStateException(name + " not in INFO stats");
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static List<String> strings(Object[] q) {
        List<String> out = new ArrayList<>();
        for (Object o : q) out.add(String.valueOf(o));
        return out;
    }
}
