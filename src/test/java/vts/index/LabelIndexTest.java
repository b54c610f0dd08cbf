package vts.index;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import vts.command.Matcher;
import vts.command.TsException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The index against a brute-force scan, for random label sets, random changes and random filters. */
class LabelIndexTest {
    private static final String[] NAMES = {"host", "region", "metric", "dc", "__name__", "x"};
    private static final String[] VALUES = {"a", "b", "c", "ab", "abc", "", "a.b", "10", "zz"};

    private final Random rnd = new Random(7);

    private String[] randomLabels() {
        int n = rnd.nextInt(4);
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String v = VALUES[rnd.nextInt(VALUES.length)];
            if (v.isEmpty()) v = "e";
            m.put(NAMES[rnd.nextInt(NAMES.length)], v);
        }
        String[] out = new String[m.size() * 2];
        int k = 0;
        for (var e : m.entrySet()) {
            out[k++] = e.getKey();
            out[k++] = e.getValue();
        }
        return out;
    }

    private List<String> someValues() {
        List<String> vs = new ArrayList<>();
        int n = rnd.nextInt(3);
        for (int i = 0; i < n; i++) vs.add(VALUES[rnd.nextInt(VALUES.length - 1)]);
        return vs;
    }

    private Matcher randomMatcher() {
        String l = NAMES[rnd.nextInt(NAMES.length)];
        String v = VALUES[rnd.nextInt(VALUES.length - 1)];
        String[] res = {"a.*", ".*b", "a|b", "", ".*", "[0-9]+", "ab?c?", "z+"};
        return switch (rnd.nextInt(9)) {
            case 0, 1 -> new Matcher.Equal(l, v);
            case 2 -> new Matcher.NotEqual(l, v);
            case 3 -> new Matcher.Absent(l);
            case 4 -> new Matcher.Present(l);
            case 5 -> new Matcher.In(l, someValues());
            case 6 -> new Matcher.NotIn(l, someValues());
            default -> new Matcher.Regex(l, Pattern.compile(res[rnd.nextInt(res.length)]), rnd.nextBoolean());
        };
    }

    private static boolean bruteMatch(Map<String, String> labels, List<Matcher> f) {
        for (Matcher m : f) {
            if (!m.matches(labels.get(m.label()))) return false;
        }
        return true;
    }

    private static Map<String, String> asMap(String[] nv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < nv.length; i += 2) m.put(nv[i], nv[i + 1]);
        return m;
    }

    private static TreeSet<String> keysOf(LabelIndex x, Bitmap ids) {
        TreeSet<String> out = new TreeSet<>();
        for (int id : ids.toArray()) out.add(new String(x.key(id), StandardCharsets.UTF_8));
        return out;
    }

    /** sortedByKey(ids) lists exactly the ids' keys, in byte order. */
    private static void assertSortedByKey(LabelIndex x, Bitmap ids, String what) {
        List<String> got = new ArrayList<>();
        for (int id : x.sortedByKey(ids)) got.add(new String(x.key(id), StandardCharsets.UTF_8));
        assertEquals(new ArrayList<>(keysOf(x, ids)), got, what);
    }

    @Test
    void randomQueriesEqualBruteForce() {
        for (int round = 0; round < 30; round++) {
            LabelIndex x = new LabelIndex();
            Map<String, Map<String, String>> model = new HashMap<>();
            int nkeys = 5 + rnd.nextInt(round < 25 ? 200 : 3000);
            for (int step = 0; step < nkeys * 3; step++) {
                String key = "k" + rnd.nextInt(nkeys);
                int op = rnd.nextInt(10);
                if (op < 6) {
                    String[] labels = randomLabels();
                    x.put(key.getBytes(StandardCharsets.UTF_8), labels, 0);
                    model.put(key, asMap(labels));
                } else if (op < 8) {
                    int id = x.idOf(key.getBytes(StandardCharsets.UTF_8));
                    if (id >= 0) {
                        String[] labels = randomLabels();
                        x.relabel(id, labels);
                        model.put(key, asMap(labels));
                    }
                } else {
                    int id = x.remove(key.getBytes(StandardCharsets.UTF_8));
                    assertEquals(model.remove(key) != null, id >= 0);
                }
            }
            assertEquals(model.size(), x.size());
            for (int q = 0; q < 200; q++) {
                List<Matcher> f = new ArrayList<>();
                int n = 1 + rnd.nextInt(3);
                for (int i = 0; i < n; i++) f.add(randomMatcher());
                TreeSet<String> expected = new TreeSet<>();
                for (var e : model.entrySet()) {
                    if (bruteMatch(e.getValue(), f)) expected.add(e.getKey());
                }
                Bitmap got = x.query(f);
                assertEquals(expected, keysOf(x, got), f.toString());
                assertEquals(expected.size(), got.cardinality(), f.toString());
            }
            // QUERYLABELS against the model
            TreeSet<String> names = new TreeSet<>();
            TreeSet<String> hosts = new TreeSet<>();
            for (Map<String, String> m : model.values()) {
                names.addAll(m.keySet());
                if (m.containsKey("host")) hosts.add(m.get("host"));
            }
            assertEquals(new ArrayList<>(names), x.labelNames(x.all()));
            assertEquals(new ArrayList<>(hosts), x.labelValues("host", x.all()));
            // sorted by key
            int[] sorted = x.sortedByKey(x.all());
            List<String> ks = new ArrayList<>();
            for (int id : sorted) ks.add(new String(x.key(id), StandardCharsets.UTF_8));
            assertEquals(new ArrayList<>(new TreeSet<>(model.keySet())), ks);
            // repeated queries switch to the cached key ranks; changes must invalidate them
            for (int rep = 0; rep < 6; rep++) {
                if (rep == 3) {
                    String k = "zz-added-" + round;
                    x.put(k.getBytes(StandardCharsets.UTF_8), randomLabels(), 0);
                    model.put(k, Map.of());
                }
                if (rep == 5 && !model.isEmpty()) {
                    String k = model.keySet().iterator().next();
                    x.remove(k.getBytes(StandardCharsets.UTF_8));
                    model.remove(k);
                }
                List<String> again = new ArrayList<>();
                for (int id : x.sortedByKey(x.all())) again.add(new String(x.key(id), StandardCharsets.UTF_8));
                assertEquals(new ArrayList<>(new TreeSet<>(model.keySet())), again, "query " + rep);
                // a few ids (sorted by rank once ranks are valid, else by their bytes)
                int[] every = x.all().toArray();
                Bitmap few = new Bitmap();
                for (int i = 0; i < 1 + rnd.nextInt(40) && every.length > 0; i++) few.add(every[rnd.nextInt(every.length)]);
                assertSortedByKey(x, few, "few, query " + rep);
            }
            // remove everything: nothing is left behind
            for (String k : new ArrayList<>(model.keySet())) x.remove(k.getBytes(StandardCharsets.UTF_8));
            assertEquals(0, x.size());
            assertEquals(0, x.labelCount());
            assertEquals(0, x.pairCount());
        }
    }

    @Test
    void catastrophicRegexIsStopped() {
        LabelIndex x = new LabelIndex();
        x.put("k".getBytes(), new String[] {"l", "a".repeat(28) + "!"}, 0);
        Matcher m = new Matcher.Regex("l", Pattern.compile("(.*a){12}"), false);
        TsException e = assertThrows(TsException.class,
                () -> x.query(List.of(m), new RegexBudget(2_000_000)));
        assertTrue(e.getMessage().contains("budget"), e.getMessage());
    }

    @Test
    void labelStringsAreInterned() {
        LabelIndex x = new LabelIndex();
        for (int i = 0; i < 1000; i++) {
            x.put(("k" + i).getBytes(), new String[] {"region", "eu", "host", "h" + (i % 10)}, 0);
        }
        assertEquals(2, x.labelCount());
        assertEquals(11, x.pairCount());
    }

    /**
     * Tens of thousands of keys (several id pages, every key-table segment grown many times),
     * created and removed between queries: each query's key order and every lookup stay
     * right while new keys wait unranked, across rank rebuilds and reused ids.
     */
    @Test
    void keyOrderAndLookupsSurviveInterleavedCreationsAndRemovals() {
        Random rnd = new Random(7);
        LabelIndex x = new LabelIndex();
        TreeMap<String, Integer> model = new TreeMap<>();
        List<String> live = new ArrayList<>();
        for (int step = 0; step < 40; step++) {
            int creates = step < 5 ? 6000 : rnd.nextInt(800);
            for (int i = 0; i < creates; i++) {
                String k = "k:" + rnd.nextInt(1_000_000_000);
                if (model.containsKey(k)) continue;
                model.put(k, x.put(k.getBytes(StandardCharsets.UTF_8), new String[] {"g", "g" + (k.length() % 3)}, 1));
                live.add(k);
            }
            for (int i = rnd.nextInt(600); i > 0 && !live.isEmpty(); i--) {
                String k = live.remove(rnd.nextInt(live.size()));
                assertEquals((int) model.remove(k), x.remove(k.getBytes(StandardCharsets.UTF_8)));
            }
            for (int q = 0; q < 1 + rnd.nextInt(4); q++) {
                Bitmap ids = rnd.nextBoolean() ? x.all() : x.query(List.of(new Matcher.Equal("g", "g" + rnd.nextInt(3))));
                if (rnd.nextInt(3) == 0) { // a few of them
                    int[] a = ids.toArray();
                    ids = new Bitmap();
                    for (int i = 0; i < 1 + rnd.nextInt(100) && a.length > 0; i++) ids.add(a[rnd.nextInt(a.length)]);
                }
                assertSortedByKey(x, ids, "step " + step);
            }
        }
        assertEquals(model.size(), x.size());
        for (var e : model.entrySet()) assertEquals((int) e.getValue(), x.idOf(e.getKey().getBytes(StandardCharsets.UTF_8)));
        assertEquals(-1, x.idOf("k:absent".getBytes(StandardCharsets.UTF_8)));
    }
    @Test
    void backgroundRankBuildKeepsOrderThroughCreationsReusesAndRemovals() throws Exception {
        int saved = LabelIndex.backgroundRebuildIds;
        LabelIndex.backgroundRebuildIds = 1; // every rebuild on the background thread
        try {
            Random rnd = new Random(11);
            LabelIndex x = new LabelIndex();
            List<String> live = new ArrayList<>();
            int builds = 0;
            for (int step = 0; step < 60; step++) {
                for (int i = step == 0 ? 20_000 : rnd.nextInt(300); i > 0; i--) {
                    String k = "k:" + rnd.nextInt(1_000_000_000);
                    if (x.idOf(k.getBytes(StandardCharsets.UTF_8)) >= 0) continue;
                    x.put(k.getBytes(StandardCharsets.UTF_8), new String[] {"g", "g" + (k.length() % 3)}, 1);
                    live.add(k);
                }
                // removals free ids that the next creations reuse, while a build may be running
                for (int i = rnd.nextInt(200); i > 0 && !live.isEmpty(); i--) {
                    x.remove(live.remove(rnd.nextInt(live.size())).getBytes(StandardCharsets.UTF_8));
                }
                for (int q = 0; q < 1 + rnd.nextInt(4); q++) {
                    Bitmap ids = rnd.nextBoolean() ? x.all() : x.query(List.of(new Matcher.Equal("g", "g" + rnd.nextInt(3))));
                    assertSortedByKey(x, ids, "step " + step);
                }
                // sometimes let the build finish: the next query installs it
                if (rnd.nextInt(3) == 0 && x.awaitRankBuild()) builds++;
            }
            assertTrue(builds > 0, "no background build ran");
            while (x.awaitRankBuild()) assertSortedByKey(x, x.all(), "after the last build");
            assertSortedByKey(x, x.all(), "installed");
            assertEquals(live.size(), x.size());
        } finally {
            LabelIndex.backgroundRebuildIds = saved;
        }
    }
}
