package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Range replies are the same bytes whether RESP2 rows go to the server as protocol runs
 * (the default) or element by element (-Dvts.rawReplies=false): long ranges spanning many
 * reply batches, every kind of value, both protocols, pipelined, in MULTI and from a script.
 * And a long RESP2 range is exactly the protocol computed here from the samples written.
 */
class RangeRepliesIT {
    static ValkeyServer runs, elements;
    static final int N = 60_000; // ~1.7 MB of RESP2 rows: several 256 KB batches
    static final long T0 = 1_700_000_000_000L;
    static final List<Object[]> WALK = new ArrayList<>();

    @BeforeAll
    static void start() {
        runs = ValkeyServer.start();
        elements = ValkeyServer.builder().moduleArgs("JVM_OPTIONS", "-Dvts.rawReplies=false").start();
        Random r = new Random(42);
        List<Object[]> load = new ArrayList<>();
        load.add(new Object[] {"TS.CREATE", "walk", "LABELS", "kind", "walk", "all", "yes"});
        load.add(new Object[] {"TS.CREATE", "mixed", "LABELS", "kind", "mixed", "all", "yes"});
        load.add(new Object[] {"TS.CREATE", "plain", "ENCODING", "UNCOMPRESSED", "LABELS", "kind", "plain", "all", "yes"});
        long w = 10_000; // hundredths
        for (int b = 0; b < N; b += 1000) {
            List<Object> walk = new ArrayList<>(List.of("TS.MADD"));
            List<Object> mixed = new ArrayList<>(List.of("TS.MADD"));
            for (int i = b; i < b + 1000; i++) {
                w += r.nextInt(201) - 100;
                long ts = T0 + i * 1000L;
                String v = BigDecimal.valueOf(w, 2).toPlainString();
                WALK.add(new Object[] {ts, v});
                walk.addAll(List.of("walk", ts, v));
                String m = switch (i % 9) {
                    case 0 -> "nan";
                    case 1 -> "-inf";
                    case 2 -> Double.toString(Double.longBitsToDouble(r.nextLong() & 0x7fefffffffffffffL));
                    case 3 -> BigDecimal.valueOf(r.nextLong() >> r.nextInt(64), r.nextInt(16)).toPlainString();
                    case 4 -> "-0";
                    case 5 -> Long.toString(r.nextInt(1000) - 500);
                    case 6 -> "1e-5";
                    default -> BigDecimal.valueOf(r.nextInt(2_000_000) - 1_000_000, r.nextInt(7)).toPlainString();
                };
                mixed.addAll(List.of("mixed", ts, m, "plain", ts, m));
            }
            load.add(walk.toArray());
            load.add(mixed.toArray());
        }
        for (ValkeyServer s : List.of(runs, elements)) {
            try (RawResp c = new RawResp(s, 2)) {
                for (Object[] cmd : load) c.send(cmd);
                for (Object[] cmd : load) assertTrue(!RawResp.isError(c.read()), "load failed");
            }
        }
    }

    @AfterAll
    static void stop() {
        if (runs != null) runs.close();
        if (elements != null) elements.close();
    }

    static final Object[][] QUERIES = {
        {"TS.RANGE", "walk", "-", "+"},
        {"TS.REVRANGE", "walk", "-", "+"},
        {"TS.RANGE", "walk", "-", "+", "COUNT", 1000},
        {"TS.RANGE", "walk", "-", "+", "COUNT", 1},
        {"TS.RANGE", "walk", T0 + 5_000_500, T0 + 9_000_000},
        {"TS.RANGE", "walk", "-", "+", "FILTER_BY_VALUE", 90, 110},
        {"TS.RANGE", "walk", "-", "+", "FILTER_BY_TS", T0, T0 + 7000, T0 + 59_999_000},
        {"TS.RANGE", "walk", "-", "+", "AGGREGATION", "avg", 7000},
        {"TS.RANGE", "walk", "-", "+", "AGGREGATION", "max", 60_000, "COUNT", 100},
        {"TS.RANGE", "mixed", "-", "+"},
        {"TS.REVRANGE", "mixed", "-", "+", "COUNT", 30_000},
        {"TS.RANGE", "plain", "-", "+"},
        {"TS.RANGE", "mixed", "-", "+", "AGGREGATION", "last", 3000},
        {"TS.RANGE", "walk", T0 + 1, T0 + 2},
        {"TS.RANGE", "nosuchkey", "-", "+"},
        {"TS.GET", "walk"},
        {"TS.GET", "mixed"},
        // multi-series rows take the same path
        {"TS.MRANGE", "-", "+", "FILTER", "all=yes"},
        {"TS.MREVRANGE", "-", "+", "COUNT", 20_000, "WITHLABELS", "FILTER", "all=yes"},
        {"TS.MRANGE", "-", "+", "AGGREGATION", "min", 5000, "FILTER", "kind=(walk,mixed)"},
        {"TS.MRANGE", "-", "+", "AGGREGATION", "min,max", 5000, "FILTER", "kind=(walk,mixed)"},
        {"TS.MRANGE", "-", "+", "FILTER", "all=yes", "GROUPBY", "all", "REDUCE", "max"},
        {"TS.MGET", "FILTER", "all=yes"},
    };

    @Test
    void sameBytesBothWaysInBothProtocols() {
        for (int protocol : new int[] {2, 3}) {
            try (RawResp a = new RawResp(runs, protocol); RawResp b = new RawResp(elements, protocol)) {
                // pipelined: every query sent before the first reply is read
                for (Object[] q : QUERIES) {
                    a.send(q);
                    b.send(q);
                }
                for (Object[] q : QUERIES) {
                    byte[] x = a.read(), y = b.read();
                    assertNull(RawResp.diff(y, x), "RESP" + protocol + " " + String.join(" ", strings(q)));
                }
            }
        }
    }

    @Test
    void sameBytesInMultiAndScripts() {
        for (int protocol : new int[] {2, 3}) {
            try (RawResp a = new RawResp(runs, protocol); RawResp b = new RawResp(elements, protocol)) {
                for (RawResp c : List.of(a, b)) {
                    c.send("MULTI");
                    c.send("TS.RANGE", "walk", "-", "+", "COUNT", 5000);
                    c.send("TS.REVRANGE", "mixed", "-", "+", "COUNT", 5000);
                    c.send("EXEC");
                    c.send("EVAL", "return server.call('TS.RANGE', KEYS[1], '-', '+', 'COUNT', 20000)", 1, "walk");
                }
                for (int i = 0; i < 5; i++) {
                    byte[] x = a.read(), y = b.read();
                    assertNull(RawResp.diff(y, x), "RESP" + protocol + " reply " + i);
                }
            }
        }
    }

    /** The whole walk in RESP2 is the protocol of [ts, value] rows, values as written. */
    @Test
    void longRangeIsTheProtocolOfTheSamples() {
        StringBuilder want = new StringBuilder("*" + N + "\r\n");
        for (Object[] s : WALK) {
            String v = new BigDecimal((String) s[1]).stripTrailingZeros().toPlainString();
            want.append("*2\r\n:").append(s[0]).append("\r\n+").append(v).append("\r\n");
        }
        try (RawResp a = new RawResp(runs, 2)) {
            byte[] got = a.call("TS.RANGE", "walk", "-", "+");
            assertArrayEquals(want.toString().getBytes(StandardCharsets.US_ASCII), got,
                    RawResp.diff(want.toString().getBytes(StandardCharsets.US_ASCII), got));
            byte[] count = a.call("TS.RANGE", "walk", "-", "+", "COUNT", 3);
            assertEquals("*3\r\n" + want.substring(want.indexOf("\r\n") + 2, nthRow(want, 3)),
                    new String(count, StandardCharsets.US_ASCII));
        }
    }

    private static int nthRow(StringBuilder s, int n) {
        int at = s.indexOf("\r\n") + 2;
        for (int i = 0; i < n; i++) at = s.indexOf("*2\r\n", at + 1);
        return at;
    }

    private static List<String> strings(Object[] q) {
        List<String> out = new ArrayList<>();
        for (Object o : q) out.add(String.valueOf(o));
        return out;
    }
}
