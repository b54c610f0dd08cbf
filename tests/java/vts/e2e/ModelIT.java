package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static vts.e2e.Ts.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Random operations against a simple in-memory model: TS.ADD in and out of order with every
 * duplicate policy and ON_DUPLICATE, TS.DEL of random ranges, TS.INCRBY/TS.DECRBY, on both
 * encodings and small chunks (so inserts split and re-encode chunks and deletes drop them). After
 * every batch the server's TS.RANGE/TS.REVRANGE (with COUNT, FILTER_BY_TS, FILTER_BY_VALUE),
 * TS.GET and TS.INFO must equal the model's.
 */
class ModelIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension().flushAllBeforeEach();

    static final String[] POLICIES = {"BLOCK", "FIRST", "LAST", "MIN", "MAX", "SUM"};

    /** The model of one series. */
    static final class Model {
        final String policy;
        final NavigableMap<Long, Double> samples = new TreeMap<>();

        Model(String policy) {
            this.policy = policy;
        }

        /** Expected reply of TS.ADD: the timestamp, or null for the upsert error. */
        Long add(long ts, double v, String onDuplicate) {
            Double old = samples.get(ts);
            if (old == null) {
                samples.put(ts, v);
                return ts;
            }
            String p = onDuplicate != null ? onDuplicate : policy;
            switch (p) {
                case "BLOCK": return null;
                case "FIRST": return ts;
                case "LAST": samples.put(ts, v); return ts;
                default:
                    if (Double.isNaN(old) || Double.isNaN(v)) return null;
                    samples.put(ts, switch (p) {
                        case "MIN" -> Math.min(old, v);
                        case "MAX" -> Math.max(old, v);
                        default -> old + v;
                    });
                    return ts;
            }
        }

        long del(long from, long to) {
            if (from > to) return 0;
            var sub = samples.subMap(from, true, to, true);
            long n = sub.size();
            sub.clear();
            return n;
        }

        List<String> range(long from, long to, boolean rev, Integer count, List<Long> filterTs, double[] filterValue) {
            List<String> out = new ArrayList<>();
            if (from > to) return out;
            var sub = samples.subMap(from, true, to, true);
            for (var e : (rev ? sub.descendingMap() : sub).entrySet()) {
                if (filterTs != null && !filterTs.contains(e.getKey())) continue;
                double v = e.getValue();
                if (filterValue != null && !(v >= filterValue[0] && v <= filterValue[1])) continue;
                out.add(e.getKey() + ":" + norm(v));
                if (count != null && out.size() >= count) break;
            }
            return out;
        }
    }

    /** A canonical text of a double, so that "1e3", "1000" and "1000.0" compare equal. */
    static String norm(double v) {
        if (Double.isNaN(v)) return "nan";
        if (v == 0) return "0"; // -0 and 0: the sign of zero is not compared
        return Double.toString(v);
    }

    static List<String> normalize(List<String> samples) {
        List<String> out = new ArrayList<>();
        for (String s : samples) {
            int i = s.indexOf(':');
            String v = s.substring(i + 1);
            out.add(s.substring(0, i) + ":" + norm(v.equalsIgnoreCase("nan") ? Double.NaN : Double.parseDouble(v)));
        }
        return out;
    }

    static String value(Random rnd) {
        return switch (rnd.nextInt(12)) {
            case 0 -> "nan";
            case 1, 2, 3 -> Integer.toString(rnd.nextInt(20));
            case 4 -> Double.toString(rnd.nextGaussian() * 1e12);
            default -> Double.toString(Math.round(rnd.nextGaussian() * 1000) / 8.0);
        };
    }

    static double parse(String v) {
        return v.equals("nan") ? Double.NaN : Double.parseDouble(v);
    }

    @ParameterizedTest(name = "{0} chunk {1}")
    @CsvSource({"COMPRESSED,48", "COMPRESSED,256", "UNCOMPRESSED,48", "UNCOMPRESSED,4096"})
    void randomOperationsMatchTheModel(String encoding, int chunkSize) {
        ValkeyServer s = valkey.server();
        long seed = Long.getLong("vts.modelSeed", System.nanoTime());
        System.out.println("ModelIT seed " + seed + " (" + encoding + ", " + chunkSize + ")");
        Random rnd = new Random(seed);
        Map<String, Model> models = new TreeMap<>();
        for (int i = 0; i < POLICIES.length; i++) {
            String key = "m:" + POLICIES[i];
            assertOk(s.call("TS.CREATE", key, "ENCODING", encoding, "CHUNK_SIZE", chunkSize,
                    "DUPLICATE_POLICY", POLICIES[i]));
            models.put(key, new Model(POLICIES[i]));
        }
        List<String> keys = new ArrayList<>(models.keySet());
        try (Resp r = s.resp()) {
            for (int round = 0; round < 30; round++) {
                List<Object> expected = new ArrayList<>();
                List<String> what = new ArrayList<>();
                for (int op = 0; op < 400; op++) {
                    String key = keys.get(rnd.nextInt(keys.size()));
                    Model m = models.get(key);
                    int kind = rnd.nextInt(100);
                    if (kind < 80) {
                        long ts;
                        if (m.samples.isEmpty() || rnd.nextInt(3) > 0) {
                            ts = (m.samples.isEmpty() ? 1000 : m.samples.lastKey()) + 1 + rnd.nextInt(rnd.nextBoolean() ? 3 : 5000);
                        } else {
                            ts = m.samples.firstKey() - 50 + rnd.nextLong(m.samples.lastKey() - m.samples.firstKey() + 100);
                            ts = Math.max(0, ts);
                            if (rnd.nextBoolean()) { // an existing timestamp: a duplicate
                                Long k = m.samples.ceilingKey(ts);
                                ts = k != null ? k : m.samples.lastKey();
                            }
                        }
                        String v = value(rnd);
                        String od = rnd.nextInt(5) == 0 ? POLICIES[rnd.nextInt(POLICIES.length)] : null;
                        if (od == null) r.send("TS.ADD", key, ts, v);
                        else r.send("TS.ADD", key, ts, v, "ON_DUPLICATE", od);
                        Long reply = m.add(ts, parse(v), od);
                        expected.add(reply == null ? UPSERT_BLOCKED : (Object) new Resp.Int(reply));
                        what.add("TS.ADD " + key + " " + ts + " " + v + (od == null ? "" : " ON_DUPLICATE " + od));
                    } else if (kind < 88 && !m.samples.isEmpty()) {
                        long a = m.samples.firstKey() + rnd.nextLong(m.samples.lastKey() - m.samples.firstKey() + 1);
                        long b = a + rnd.nextInt(rnd.nextBoolean() ? 100 : 20000);
                        r.send("TS.DEL", key, a, b);
                        expected.add(new Resp.Int(m.del(a, b)));
                        what.add("TS.DEL " + key + " " + a + " " + b);
                    } else if (!m.samples.isEmpty() && !Double.isNaN(m.samples.lastEntry().getValue())
                            && !Double.isInfinite(m.samples.lastEntry().getValue())) {
                        boolean incr = rnd.nextBoolean();
                        long last = m.samples.lastKey();
                        long ts = rnd.nextInt(4) == 0 ? last : last + 1 + rnd.nextInt(100);
                        int d = rnd.nextInt(10);
                        r.send(incr ? "TS.INCRBY" : "TS.DECRBY", key, d, "TIMESTAMP", ts);
                        double nv = m.samples.lastEntry().getValue() + (incr ? d : -d);
                        m.samples.put(ts, nv);
                        expected.add(new Resp.Int(ts));
                        what.add((incr ? "TS.INCRBY " : "TS.DECRBY ") + key + " " + d + " TIMESTAMP " + ts);
                    } else {
                        r.send("PING");
                        expected.add(new Resp.Simple("PONG"));
                        what.add("PING");
                    }
                }
                for (int i = 0; i < expected.size(); i++) {
                    Resp.Reply got = r.read();
                    Object exp = expected.get(i);
                    if (exp instanceof String err) {
                        if (!(got instanceof Resp.Err e) || !e.message().equals(err)) {
                            fail("round " + round + ": " + what.get(i) + " answered " + got + ", expected the error " + err);
                        }
                    } else if (!exp.equals(got)) {
                        fail("round " + round + ": " + what.get(i) + " answered " + got + ", expected " + exp);
                    }
                }
                for (String key : keys) compare(s, key, models.get(key), rnd, "round " + round);
            }
        }
    }

    static void compare(ValkeyServer s, String key, Model m, Random rnd, String when) {
        assertEquals(m.range(Long.MIN_VALUE, Long.MAX_VALUE, false, null, null, null),
                normalize(samples2(s.call("TS.RANGE", key, "-", "+"))), when + ": TS.RANGE - + of " + key);
        Map<String, Resp.Reply> info = info(s, key);
        assertEquals(m.samples.size(), integer(info.get("totalSamples")), when + ": totalSamples of " + key);
        if (!m.samples.isEmpty()) {
            assertEquals(m.samples.firstKey(), integer(info.get("firstTimestamp")), when + ": firstTimestamp of " + key);
            assertEquals(m.samples.lastKey(), integer(info.get("lastTimestamp")), when + ": lastTimestamp of " + key);
            assertEquals(List.of(m.samples.lastKey() + ":" + norm(m.samples.lastEntry().getValue())),
                    normalize(List.of(sample2(s.call("TS.GET", key)))), when + ": TS.GET of " + key);
        }
        if (m.samples.isEmpty()) {
            assertEquals(List.of(), s.call("TS.GET", key).plain(), when + ": TS.GET of the empty " + key);
            return;
        }
        long lo = m.samples.firstKey();
        long span = m.samples.lastKey() - lo + 1;
        for (int q = 0; q < 5; q++) {
            long a = lo - 10 + rnd.nextLong(span + 20);
            long b = a + rnd.nextLong(span + 1);
            boolean rev = rnd.nextBoolean();
            Integer count = rnd.nextBoolean() ? 1 + rnd.nextInt(50) : null;
            List<Long> fts = null;
            double[] fv = null;
            List<Object> args = new ArrayList<>(List.of(rev ? "TS.REVRANGE" : "TS.RANGE", key, a, b));
            if (rnd.nextInt(3) == 0) {
                fts = new ArrayList<>();
                List<Long> all = new ArrayList<>(m.samples.keySet());
                args.add("FILTER_BY_TS");
                for (int i = 0; i < 1 + rnd.nextInt(8); i++) {
                    long t = rnd.nextBoolean() ? all.get(rnd.nextInt(all.size())) : a + rnd.nextLong(b - a + 1);
                    fts.add(t);
                    args.add(t);
                }
            }
            if (rnd.nextInt(3) == 0) {
                double x = rnd.nextInt(20) - 5;
                fv = new double[] {x, x + rnd.nextInt(15)};
                args.addAll(List.of("FILTER_BY_VALUE", fv[0], fv[1]));
            }
            if (count != null) args.addAll(List.of("COUNT", count));
            assertEquals(m.range(a, b, rev, count, fts, fv), normalize(samples2(s.call(args.toArray()))),
                    when + ": " + args);
        }
    }
}
