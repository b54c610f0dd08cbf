package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The label index always equals the keyspace: after random sequences of keyspace commands
 * across three databases (TS.CREATE, TS.ALTER LABELS, DEL, UNLINK, PEXPIRE + wait, RENAME
 * onto existing and new keys, MOVE, COPY, RESTORE, SET over a series, SWAPDB, FLUSHDB,
 * FLUSHALL ASYNC, DEBUG RELOAD, BGSAVE + restart, TS.MDEL, PEXPIRE short and long, PERSIST,
 * with TS.MGET and TS.MRANGE in between), TS.QUERYINDEX, TS.CARD and TS.QUERYLABELS in each
 * database equal a scan of that database (SCAN + TYPE + TS.INFO), and TS.MGET and TS.MRANGE
 * return the same keys with what TS.GET and TS.RANGE say of each.
 */
class IndexKeyspaceIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension(b -> b.config("save", "")).flushAllBeforeEach();

    private static final int DBS = 3;
    private static final String[] A = {"x", "y", "z"};

    private final Random rnd = new Random(20240601);

    private static String str(Resp.Reply r) {
        return switch (r) {
            case Resp.Bulk b -> b.text();
            case Resp.Simple s -> s.text();
            default -> throw new AssertionError("not a string: " + r);
        };
    }

    private static Resp.Reply ok(Resp.Reply r) {
        if (r instanceof Resp.Err e) throw new AssertionError("error reply: " + e.message());
        return r;
    }

    /** A reply that may legitimately be an error (no such key, same source and target, wrong type). */
    private static void any(Resp.Reply r) {}

    private String key() { return "k" + rnd.nextInt(25); }

    private Object[] labels() {
        List<Object> l = new ArrayList<>(List.of("LABELS", "a", A[rnd.nextInt(3)]));
        if (rnd.nextBoolean()) l.addAll(List.of("b", String.valueOf(1 + rnd.nextInt(2))));
        if (rnd.nextInt(4) == 0) l.addAll(List.of("c", "v" + rnd.nextInt(3)));
        return l.toArray();
    }

    private static Object[] concat(Object[] a, Object... b) {
        Object[] out = new Object[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** One random keyspace command on connection r (whose database is db[0]). */
    private String step(Resp r, int[] db, ValkeyServer s) {
        int op = rnd.nextInt(100);
        String k = key(), k2 = key();
        if (op < 25) {
            Resp.Reply rep = r.call(concat(new Object[] {"TS.CREATE", k}, labels()));
            if (rep instanceof Resp.Err) any(r.call(concat(new Object[] {"TS.ALTER", k}, labels())));
            if (rnd.nextBoolean()) any(r.call("TS.ADD", k, 1000 + rnd.nextInt(100), 1));
            return "create/alter " + k;
        } else if (op < 30) {
            any(r.call(concat(new Object[] {"TS.ADD", k, "*", "1"}, labels())));
            return "add " + k;
        } else if (op < 36) {
            any(r.call(rnd.nextBoolean() ? "DEL" : "UNLINK", k, k2));
            return "del " + k + " " + k2;
        } else if (op < 41) {
            // short ones expire before the next check; long ones travel with their key
            // (RENAME, MOVE, COPY, RESTORE, reloads), and reads must still open such keys
            int kind = rnd.nextInt(3);
            if (kind == 0) any(r.call("PEXPIRE", k, 1 + rnd.nextInt(30)));
            else if (kind == 1) any(r.call("PEXPIRE", k, 100_000));
            else any(r.call("PERSIST", k));
            return (kind == 2 ? "persist " : "pexpire ") + k;
        } else if (op < 50) {
            r.call("RENAME", k, k2); // may fail: no such key
            return "rename " + k + " " + k2;
        } else if (op < 56) {
            any(r.call("MOVE", k, String.valueOf(rnd.nextInt(DBS))));
            return "move " + k;
        } else if (op < 62) {
            if (rnd.nextBoolean()) any(r.call("COPY", k, k2, "DB", String.valueOf(rnd.nextInt(DBS)), "REPLACE"));
            else  any(r.call("COPY", k, k2));
            return "copy " + k + " " + k2;
        } else if (op < 68) {
            Resp.Reply dump = r.call("DUMP", k);
            if (dump instanceof Resp.Bulk b) {
                any(r.call("RESTORE", k2, "0", b.bytes(), "REPLACE"));
            }
            return "restore " + k + " " + k2;
        } else if (op < 72) {
            any(r.call("SET", k, "v"));
            return "set " + k;
        } else if (op < 78) {
            int a = rnd.nextInt(DBS), b = rnd.nextInt(DBS);
            ok(r.call("SWAPDB", String.valueOf(a), String.valueOf(b)));
            return "swapdb " + a + " " + b;
        } else if (op < 84) {
            ok(r.call("SELECT", String.valueOf(db[0] = rnd.nextInt(DBS))));
            return "select " + db[0];
        } else if (op < 87) {
            ok(r.call("TS.MDEL", "FILTER", "a=" + A[rnd.nextInt(3)], "b=" + (1 + rnd.nextInt(2))));
            return "mdel";
        } else if (op < 89) {
            ok(r.call("FLUSHDB", rnd.nextBoolean() ? "ASYNC" : "SYNC"));
            return "flushdb";
        } else if (op < 90) {
            ok(r.call("FLUSHALL", "ASYNC"));
            return "flushall async";
        } else if (op < 93) {
            ok(r.call("DEBUG", "RELOAD"));
            return "debug reload";
        } else if (op < 95) {
            any(r.call("TS.ALTER", k, "LABELS"));
            return "alter no labels " + k;
        } else if (op < 98) {
            // reads through the index's series pointers while the keyspace changes
            ok(r.call("TS.MGET", "FILTER", "a=(x,y,z)"));
            ok(r.call("TS.MRANGE", "-", "+", "FILTER", "a=(x,y,z)"));
            return "mget/mrange";
        } else {
            any(r.call("TS.INCRBY", k, "1", "LABELS", "a", A[rnd.nextInt(3)]));
            return "incrby " + k;
        }
    }

    /** Checks every database of s: the index equals a scan. */
    static void verify(ValkeyServer s, String context) {
        try (Resp r = s.resp()) {
            for (int db = 0; db < DBS; db++) {
                ok(r.call("SELECT", String.valueOf(db)));
                // the scan first: it also deletes the keys that expired (as QUERYINDEX would not)
                Map<String, Map<String, String>> series = new TreeMap<>();
                String cursor = "0";
                do {
                    Resp.Arr page = (Resp.Arr) r.call("SCAN", cursor, "COUNT", "1000");
                    cursor = str(page.get(0));
                    for (Resp.Reply k : ((Resp.Arr) page.get(1)).items()) {
                        String key = str(k);
                        if (!"TSDB-TYPE".equals(str(r.call("TYPE", key)))) continue;
                        Resp.Arr info = (Resp.Arr) ok(r.call("TS.INFO", key));
                        Map<String, String> labels = new TreeMap<>();
                        for (int i = 0; i < info.size(); i += 2) {
                            if (!"labels".equals(str(info.get(i)))) continue;
                            for (Resp.Reply p : ((Resp.Arr) info.get(i + 1)).items()) {
                                labels.put(str(((Resp.Arr) p).get(0)), str(((Resp.Arr) p).get(1)));
                            }
                        }
                        series.put(key, labels);
                    }
                } while (!"0".equals(cursor));
                String where = context + " (db " + db + ")";
                assertEquals((long) series.size(), ((Resp.Int) r.call("TS.CARD")).value(), "TS.CARD " + where);
                String[][] filters = {
                    {"a=(x,y,z)"}, {"a=x"}, {"a=y", "b!=1"}, {"b=(1,2)", "a!=z"}, {"a=~x|y"}, {"b=2", "c="},
                    {"c!=", "a=(x,z)"}, {"a!~y", "b=1"}, {"{a=\"z\",b!=\"2\"}"}};
                for (String[] f : filters) {
                    TreeSet<String> expected = new TreeSet<>();
                    for (var e : series.entrySet()) {
                        if (matches(e.getValue(), f)) expected.add(e.getKey());
                    }
                    Object[] cmd = new Object[f.length + 1];
                    cmd[0] = "TS.QUERYINDEX";
                    System.arraycopy(f, 0, cmd, 1, f.length);
                    List<String> got = new ArrayList<>();
                    for (Resp.Reply k : ((Resp.Arr) ok(r.call(cmd))).items()) got.add(str(k));
                    assertEquals(new ArrayList<>(expected), got, "TS.QUERYINDEX " + String.join(" ", f) + " " + where);
                }
                // TS.MGET and TS.MRANGE read the series themselves: the same keys, and each one's samples
                List<String> mget = new ArrayList<>(), mrange = new ArrayList<>();
                for (Resp.Reply row : ((Resp.Arr) ok(r.call("TS.MGET", "FILTER", "a=(x,y,z)"))).items()) {
                    String key = str(((Resp.Arr) row).get(0));
                    mget.add(key);
                    Resp.Reply last = ok(r.call("TS.GET", key));
                    assertEquals(last, ((Resp.Arr) row).get(2), "TS.MGET sample of " + key + " " + where);
                }
                for (Resp.Reply row : ((Resp.Arr) ok(r.call("TS.MRANGE", "-", "+", "FILTER", "a=(x,y,z)"))).items()) {
                    String key = str(((Resp.Arr) row).get(0));
                    mrange.add(key);
                    assertEquals(ok(r.call("TS.RANGE", key, "-", "+")), ((Resp.Arr) row).get(2), "TS.MRANGE samples of " + key + " " + where);
                }
                TreeSet<String> all = new TreeSet<>();
                for (var e : series.entrySet()) {
                    if (matches(e.getValue(), new String[] {"a=(x,y,z)"})) all.add(e.getKey());
                }
                assertEquals(new ArrayList<>(all), mget, "TS.MGET keys " + where);
                assertEquals(new ArrayList<>(all), mrange, "TS.MRANGE keys " + where);
                TreeSet<String> names = new TreeSet<>();
                for (Map<String, String> l : series.values()) names.addAll(l.keySet());
                List<String> got = new ArrayList<>();
                for (Resp.Reply k : ((Resp.Arr) ok(r.call("TS.QUERYLABELS", "LABELS"))).items()) got.add(str(k));
                assertEquals(new ArrayList<>(names), got, "TS.QUERYLABELS LABELS " + where);
            }
        }
    }

    /** The few filter forms verify() uses, evaluated by brute force. */
    private static boolean matches(Map<String, String> l, String[] filter) {
        for (String f : filter) {
            boolean ok;
            if (f.startsWith("{")) {
                ok = "z".equals(l.get("a")) && !"2".equals(l.get("b"));
            } else if (f.contains("!~")) {
                String[] p = f.split("!~");
                ok = !l.getOrDefault(p[0], "").matches(p[1]);
            } else if (f.contains("=~")) {
                String[] p = f.split("=~");
                ok = l.getOrDefault(p[0], "").matches(p[1]);
            } else if (f.contains("!=")) {
                String[] p = f.split("!=", -1);
                String v = l.get(p[0]);
                if (p[1].isEmpty()) ok = v != null;
                else if (p[1].startsWith("(")) ok = v == null || !List.of(p[1].substring(1, p[1].length() - 1).split(",")).contains(v);
                else ok = !p[1].equals(v);
            } else {
                String[] p = f.split("=", -1);
                String v = l.get(p[0]);
                if (p[1].isEmpty()) ok = v == null;
                else if (p[1].startsWith("(")) ok = v != null && List.of(p[1].substring(1, p[1].length() - 1).split(",")).contains(v);
                else ok = p[1].equals(v);
            }
            if (!ok) return false;
        }
        return true;
    }

    @Test
    void indexEqualsKeyspaceAfterRandomCommands() throws Exception {
        ValkeyServer s = valkey.server();
        int[] db = {0};
        List<String> recent = new ArrayList<>();
        for (int round = 0; round < 30; round++) {
            try (Resp r = s.resp()) {
                ok(r.call("SELECT", String.valueOf(db[0])));
                for (int i = 0; i < 40; i++) {
                    recent.add(step(r, db, s));
                    if (recent.size() > 12) recent.remove(0);
                }
            }
            Thread.sleep(40); // let PEXPIREd keys expire
            verify(s, "round " + round + " after " + recent);
            if (round % 10 == 9) {
                // persistence round trip: the index is rebuilt from the loaded series
                assertTrue(s.call("BGSAVE") instanceof Resp.Simple);
                s.await("bgsave", java.time.Duration.ofSeconds(30),
                        () -> "0".equals(s.info("persistence", "rdb_bgsave_in_progress")));
                s.restart();
                verify(s, "after BGSAVE + restart, round " + round);
            }
        }
    }

    @Test
    void overwriteAndRenameOntoExisting() {
        ValkeyServer s = valkey.server();
        ok(s.call("TS.CREATE", "a", "LABELS", "a", "x"));
        ok(s.call("TS.CREATE", "b", "LABELS", "a", "y"));
        ok(s.call("RENAME", "a", "b"));
        assertEquals(List.of("b"), s.call("TS.QUERYINDEX", "a=(x,y)").plain());
        assertEquals(List.of("b"), s.call("TS.QUERYINDEX", "a=x").plain());
        ok(s.call("SET", "b", "1"));
        assertEquals(List.of(), s.call("TS.QUERYINDEX", "a=(x,y)").plain());
        verify(s, "overwrite");
    }
}
