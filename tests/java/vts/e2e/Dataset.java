package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Random series for persistence and replication tests: both encodings, every duplicate policy
 * (and none), small and default chunk sizes, labels (some non-ASCII), NaN and extreme values,
 * out-of-order history, duplicates, IGNORE, a deletion in the middle, an empty series.
 * Deterministic for a seed. {@link #snapshot} captures what the server holds, to compare exactly.
 */
final class Dataset {
    private Dataset() {}

    static final String[] POLICIES = {null, "BLOCK", "FIRST", "LAST", "MIN", "MAX", "SUM"};
    static final int[] CHUNK_SIZES = {48, 64, 128, 256, 1024, 4096};

    /** Writes {@code series} random series named prefix0, prefix1, …; returns their names. */
    static List<String> write(ValkeyServer s, long seed, String prefix, int series, int maxSamples) {
        Random rnd = new Random(seed);
        List<String> keys = new ArrayList<>();
        try (Resp r = s.resp()) {
            for (int i = 0; i < series; i++) {
                String key = prefix + i;
                keys.add(key);
                List<Object> create = new ArrayList<>(List.of("TS.CREATE", key));
                create.add("ENCODING");
                create.add(rnd.nextBoolean() ? "COMPRESSED" : "UNCOMPRESSED");
                create.add("CHUNK_SIZE");
                create.add(CHUNK_SIZES[rnd.nextInt(CHUNK_SIZES.length)]);
                String policy = POLICIES[i % POLICIES.length];
                if (policy != null) {
                    create.add("DUPLICATE_POLICY");
                    create.add(policy);
                }
                if (rnd.nextInt(5) == 0) {
                    create.add("RETENTION");
                    create.add(1_000_000_000L + rnd.nextInt(1000));
                }
                if ("LAST".equals(policy) && rnd.nextBoolean()) {
                    create.addAll(List.of("IGNORE", 5, 0.5));
                }
                int nLabels = rnd.nextInt(5);
                if (nLabels > 0) {
                    create.add("LABELS");
                    for (int l = 0; l < nLabels; l++) {
                        create.add("l" + l);
                        create.add(switch (rnd.nextInt(4)) {
                            case 0 -> "température";
                            case 1 -> "v" + rnd.nextInt(1000);
                            case 2 -> "with space";
                            default -> "日本" + l;
                        });
                    }
                }
                r.send(create.toArray());
                int n = i == 0 ? 0 : i == 1 ? 1 : rnd.nextInt(maxSamples);
                long ts = 1_600_000_000_000L + rnd.nextInt(1_000_000);
                List<Long> seen = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    long at;
                    int kind = rnd.nextInt(100);
                    if (kind < 8 && seen.size() > 2) {
                        at = seen.get(0) + 1 + rnd.nextInt((int) Math.max(1, Math.min(1_000_000, ts - seen.get(0) - 1)));
                    } else if (kind < 12 && !seen.isEmpty()) {
                        at = seen.get(rnd.nextInt(seen.size()));
                    } else {
                        ts += rnd.nextInt(10) == 0 ? rnd.nextInt(10_000_000) : 1 + rnd.nextInt(1000);
                        at = ts;
                    }
                    seen.add(at);
                    r.send("TS.ADD", key, at, value(rnd));
                }
                if (n > 100 && rnd.nextBoolean()) {
                    long a = seen.get(n / 3);
                    long b = seen.get(n / 2);
                    r.send("TS.DEL", key, Math.min(a, b), Math.max(a, b));
                }
            }
            while (r.pending() > 0) {
                Resp.Reply reply = r.read();
                if (!(reply instanceof Resp.Int || reply instanceof Resp.Err || reply instanceof Resp.Simple)) {
                    fail("unexpected reply while writing the data set: " + reply);
                }
            }
        }
        return keys;
    }

    static String value(Random rnd) {
        return switch (rnd.nextInt(20)) {
            case 0 -> "nan";
            case 1 -> Double.toString(Double.MAX_VALUE * (rnd.nextBoolean() ? 1 : -1));
            case 2 -> Double.toString(Double.MIN_VALUE);
            case 3 -> "0";
            case 4 -> "-0.0";
            case 5, 6, 7 -> Integer.toString(rnd.nextInt(200) - 100);
            case 8, 9 -> Double.toString(Math.round(rnd.nextDouble() * 1000) / 100.0);
            default -> Double.toString(rnd.nextGaussian() * Math.pow(10, rnd.nextInt(12) - 4));
        };
    }

    /** For each key, in name order: TYPE, TS.RANGE - +, TS.INFO DEBUG (RESP2, exact replies). */
    static Map<String, List<Resp.Reply>> snapshot(ValkeyServer s, List<String> keys) {
        Map<String, List<Resp.Reply>> m = new TreeMap<>();
        try (Resp r = s.resp()) {
            for (String k : keys) {
                r.send("TYPE", k);
                r.send("TS.RANGE", k, "-", "+");
                r.send("TS.INFO", k, "DEBUG");
            }
            for (String k : keys) m.put(k, List.of(r.read(), r.read(), r.read()));
        }
        return m;
    }

    /** Asserts two snapshots are equal, naming the first key and field that differs. */
    static void assertSame(Map<String, List<Resp.Reply>> before, Map<String, List<Resp.Reply>> after, String when) {
        assertEquals(before.keySet(), after.keySet(), when + ": same keys");
        String[] what = {"TYPE", "TS.RANGE - +", "TS.INFO DEBUG"};
        // a series whose only difference is memoryUsage is reported after every other check
        List<String> memoryOnly = new ArrayList<>();
        for (String k : before.keySet()) {
            for (int i = 0; i < 3; i++) {
                Resp.Reply b = before.get(k).get(i);
                Resp.Reply a = after.get(k).get(i);
                if (i == 2) {
                    Map<String, Resp.Reply> mb = infoMap(b);
                    Map<String, Resp.Reply> ma = infoMap(a);
                    assertEquals(mb.keySet(), ma.keySet(), when + ": TS.INFO fields of " + k);
                    List<String> diffs = new ArrayList<>();
                    for (String f : mb.keySet()) {
                        String x = describe(mb.get(f));
                        String y = describe(ma.get(f));
                        if (!x.equals(y)) diffs.add(f + ": before\n" + x + "\nafter\n" + y);
                    }
                    if (!diffs.isEmpty()) {
                        String msg = when + ": TS.INFO DEBUG of " + k + " differs in " + String.join("\n", diffs);
                        if (diffs.size() == 1 && diffs.get(0).startsWith("memoryUsage:")) {
                            memoryOnly.add(msg);
                        } else {
                            fail(msg);
                        }
                    }
                } else {
                    assertEquals(b, a, when + ": " + what[i] + " of " + k);
                }
            }
        }
        if (!memoryOnly.isEmpty()) {
            fail(memoryOnly.size() + " of " + before.size() + " series differ only in memoryUsage; first: "
                    + memoryOnly.get(0));
        }
    }

    /** A compact text of a reply, one array element a line, for readable diffs. */
    static String describe(Resp.Reply r) {
        if (r instanceof Resp.Arr a) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < a.size(); i++) b.append('[').append(i).append("] ").append(a.get(i).plain()).append('\n');
            return b.toString();
        }
        return String.valueOf(r);
    }

    private static Map<String, Resp.Reply> infoMap(Resp.Reply r) {
        Map<String, Resp.Reply> m = new LinkedHashMap<>();
        if (!(r instanceof Resp.Arr a)) {
            m.put("(not an array)", r);
            return m;
        }
        for (int i = 0; i + 1 < a.size(); i += 2) m.put(String.valueOf(a.get(i).plain()), a.get(i + 1));
        return m;
    }

    /** Total samples over the keys (checks the data set is not trivially empty). */
    static long totalSamples(Map<String, List<Resp.Reply>> snap) {
        long n = 0;
        for (List<Resp.Reply> v : snap.values()) {
            if (v.get(1) instanceof Resp.Arr a) n += a.size();
        }
        assertTrue(n > 0, "the data set has samples");
        return n;
    }
}
