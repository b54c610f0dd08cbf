package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TS.READ: equal to TS.RANGE key cursor + [COUNT max_count] (randomized), its errors, and BLOCK:
 * released by every write path that adds samples, by the timeout with what there is, by deletion
 * with [], refused in MULTI and scripts only when it would wait, on a replica by replicated writes,
 * and correct under concurrent writers and readers.
 */
class ReadIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension().flushAllBeforeEach();

    static final String DENY =
            "TSDB: blocking TS.READ (with BLOCK) is not allowed inside MULTI, EVAL, or a deny-blocking context";

    /** A TS.READ sent on its own connection, whose reply is read later. */
    static final class Reader implements AutoCloseable {
        final Resp conn;
        final long sent = System.nanoTime();

        Reader(ValkeyServer s, Object... args) {
            conn = s.resp();
            Object[] argv = new Object[args.length + 1];
            argv[0] = "TS.READ";
            System.arraycopy(args, 0, argv, 1, args.length);
            conn.send(argv);
            conn.flush();
        }

        Resp.Reply reply() {
            Resp.Reply r = conn.readWithin(20_000);
            if (r == null) throw new AssertionError("TS.READ never replied");
            return r;
        }

        Resp.Reply replyWithin(int ms) { return conn.readWithin(ms); }

        long elapsedMs() { return (System.nanoTime() - sent) / 1_000_000; }

        @Override public void close() { conn.close(); }
    }

    static long blocked(ValkeyServer s) {
        return Long.parseLong(s.info("clients", "blocked_clients"));
    }

    static void awaitBlocked(ValkeyServer s, long n) {
        s.await(n + " blocked clients", Duration.ofSeconds(20), () -> blocked(s) == n);
    }

    static Resp.Reply range(ValkeyServer s, String key, long from, long count) {
        return count > 0 ? s.call("TS.RANGE", key, from, "+", "COUNT", count) : s.call("TS.RANGE", key, from, "+");
    }

    static List<Long> timestamps(Resp.Reply r) {
        List<Long> out = new ArrayList<>();
        for (Resp.Reply row : ((Resp.Arr) r).items()) out.add(((Resp.Int) ((Resp.Arr) row).get(0)).value());
        return out;
    }

    static final Resp.Reply EMPTY = new Resp.Arr('*', List.of());

    /** The class's server with samples (t, t / 100) in key k. */
    static ValkeyServer seeded(long... ts) {
        ValkeyServer s = valkey.server();
        for (long t : ts) s.call("TS.ADD", "k", t, t / 100);
        return s;
    }

    // ------------------------------------------------------------------ without BLOCK

    @Test
    void equalsRangeFromTheCursorRandomized() {
        ValkeyServer s = valkey.server();
        Random rnd = new Random(23);
        for (int k = 0; k < 12; k++) {
            String key = "r" + k;
            List<Object> create = new ArrayList<>(List.of("TS.CREATE", key, "DUPLICATE_POLICY", "LAST",
                    "CHUNK_SIZE", 48 + 8 * rnd.nextInt(20)));
            if (k % 3 == 0) create.addAll(List.of("RETENTION", 500 + rnd.nextInt(2000)));
            if (k % 2 == 1) create.addAll(List.of("ENCODING", "UNCOMPRESSED"));
            assertOk(s.call(create.toArray()));
            int n = rnd.nextInt(400);
            for (int i = 0; i < n; i++) {
                long ts = rnd.nextInt(5) == 0 ? rnd.nextInt(5000) : 5000 + i * (1 + rnd.nextInt(20));
                s.call("TS.ADD", key, ts, rnd.nextInt(1000) / 8.0);
            }
            for (int q = 0; q < 40; q++) {
                long cursor = rnd.nextInt(15000);
                long max = rnd.nextBoolean() ? 1 + rnd.nextInt(50) : 0;
                Resp.Reply expected = range(s, key, cursor, max);
                Resp.Reply got = max > 0 ? s.call("TS.READ", key, cursor, "MAX_COUNT", max) : s.call("TS.READ", key, cursor);
                assertEquals(expected, got, "TS.READ " + key + " " + cursor + " max " + max);
                // with BLOCK and a min_count already met it does not wait
                if (max > 0 && timestamps(expected).size() >= 1) {
                    assertEquals(expected, s.call("TS.READ", key, cursor, "BLOCK", 0, 1, "MAX_COUNT", max));
                }
            }
            Resp.Reply all = s.call("TS.RANGE", key, "-", "+");
            assertEquals(all, s.call("TS.READ", key, "-"));
            List<Long> ts = timestamps(all);
            if (!ts.isEmpty()) {
                long last = ts.get(ts.size() - 1);
                assertEquals(range(s, key, last, 0), s.call("TS.READ", key, "+"), "+ is the latest sample");
            }
            assertEquals(EMPTY, s.call("TS.READ", key, "$"), "$ is after the latest sample");
        }
    }

    @Test
    void resp3RepliesDoubles() {
        ValkeyServer s = valkey.server();
        s.call("TS.ADD", "k", 100, 1.5);
        s.call("TS.ADD", "k", 200, 2);
        assertEquals(s.call3("TS.RANGE", "k", 0, "+"), s.call3("TS.READ", "k", 0));
        assertTrue(s.call3("TS.READ", "k", 0) instanceof Resp.Arr a && ((Resp.Arr) a.get(0)).get(1) instanceof Resp.Dbl);
    }

    @Test
    void missingOrEmptySeriesGiveEmptyArrays() {
        ValkeyServer s = valkey.server();
        assertOk(s.call("TS.CREATE", "empty"));
        for (String c : List.of("0", "-", "+", "$")) {
            assertEquals(EMPTY, s.call("TS.READ", "nosuch", c));
            assertEquals(EMPTY, s.call("TS.READ", "empty", c));
        }
        s.call("TS.ADD", "max", Long.MAX_VALUE, 1);
        assertEquals(EMPTY, s.call("TS.READ", "max", "$"), "$ after the largest timestamp is empty, not everything");
        assertEquals(List.of(Long.MAX_VALUE), timestamps(s.call("TS.READ", "max", "+")));
    }

    @Test
    void errors() {
        ValkeyServer s = valkey.server();
        s.call("TS.ADD", "k", 100, 1);
        s.call("SET", "str", "v");
        assertError(WRONGTYPE, s.call("TS.READ", "str", 0));
        assertError(WRONGTYPE, s.call("TS.READ", "str", "+", "BLOCK", 100, 1));
        for (List<Object> extra : List.<List<Object>>of(List.of("BLOCK", 10, 1, "BLOCK", 10, 1),
                List.of("MAX_COUNT", 1, "MAX_COUNT", 2), List.of("BLOCK", 50), List.of("MAX_COUNT"),
                List.of("BOGUS"), List.of("BLOCK", 50, 1, "EXTRA"))) {
            List<Object> argv = new ArrayList<>(List.of("TS.READ", "k", "-"));
            argv.addAll(extra);
            assertWrongArity("ts.read", s.call(argv.toArray()));
        }
        assertWrongArity("ts.read", s.call("TS.READ", "k"));
        assertError("TSDB: MAX_COUNT must be a positive integer", s.call("TS.READ", "k", 0, "MAX_COUNT", 0));
        assertError("TSDB: MAX_COUNT must be a positive integer", s.call("TS.READ", "k", 0, "MAX_COUNT", "abc"));
        assertError("TSDB: BLOCK min_count must be a positive integer", s.call("TS.READ", "k", 0, "BLOCK", 50, 0));
        assertError("TSDB: BLOCK min_count must be a positive integer", s.call("TS.READ", "k", 0, "BLOCK", 50, "1.5"));
        assertError("TSDB: BLOCK milliseconds must be a non-negative integer", s.call("TS.READ", "k", 0, "BLOCK", -1, 1));
        assertError("TSDB: BLOCK milliseconds must be a non-negative integer", s.call("TS.READ", "k", 0, "BLOCK", "x", 1));
        assertError("TSDB: invalid timestamp", s.call("TS.READ", "k", -5));
        assertError("TSDB: invalid timestamp", s.call("TS.READ", "k", "abc"));
        assertError("TSDB: BLOCK min_count must be <= MAX_COUNT", s.call("TS.READ", "k", 0, "BLOCK", 500, 5, "MAX_COUNT", 1));
        assertError("TSDB: BLOCK min_count must be <= MAX_COUNT", s.call("TS.READ", "nosuch", 0, "MAX_COUNT", 1, "block", 500, 5));
        assertEquals(List.of(100L), timestamps(s.call("TS.READ", "k", "-", "max_count", 1, "Block", 500, 1)));
        assertEquals(0, blocked(s));
    }

    // ------------------------------------------------------------------ BLOCK

    @Test
    void blocksUntilMinCountThenRepliesTheOldestMaxCount() {
        ValkeyServer s = seeded(100, 200, 300);
        try (Reader r = new Reader(s, "k", 101, "BLOCK", 10_000, 5, "MAX_COUNT", 5)) {
            awaitBlocked(s, 1);
            s.call("TS.ADD", "k", 400, 4);
            s.call("TS.ADD", "k", 400, 44, "ON_DUPLICATE", "LAST"); // an update adds no sample
            assertNull(r.replyWithin(200), "4 < 5 samples: still waiting");
            s.call("TS.MADD", "k", 500, 5, "k", 600, 6, "k", 700, 7);
            assertEquals(range(s, "k", 101, 5), r.reply());
        }
        assertEquals(0, blocked(s));
    }

    @Test
    void timeoutRepliesWhatThereIs() {
        ValkeyServer s = seeded(100, 200);
        try (Reader r = new Reader(s, "k", 101, "BLOCK", 400, 10)) {
            assertEquals(range(s, "k", 101, 0), r.reply());
            assertTrue(r.elapsedMs() >= 380, "waited the timeout: " + r.elapsedMs());
        }
        try (Reader r = new Reader(s, "k", "$", "BLOCK", 300, 1)) {
            assertEquals(EMPTY, r.reply());
        }
        try (Reader r = new Reader(s, "k", 0, "BLOCK", 0, 5)) { // no timeout: CLIENT UNBLOCK ends it
            awaitBlocked(s, 1);
            long id = -1;
            for (String line : s.call("CLIENT", "LIST").plain().toString().split("\n"))
                if (line.contains("cmd=ts.read")) id = Long.parseLong(line.replaceAll("^id=(\\d+).*", "$1"));
            assertEquals(new Resp.Int(1), s.call("CLIENT", "UNBLOCK", id, "TIMEOUT"));
            assertEquals(range(s, "k", 0, 0), r.reply());
        }
        assertEquals(0, blocked(s));
    }

    @Test
    void sentinelsResolveWhenTheCommandArrives() {
        ValkeyServer s = seeded(100, 200);
        try (Reader dollar = new Reader(s, "k", "$", "BLOCK", 10_000, 1);
             Reader plus = new Reader(s, "k", "+", "BLOCK", 10_000, 2)) {
            awaitBlocked(s, 2);
            s.call("TS.ADD", "k", 150, 9); // below the '$' cursor (201): not for it
            assertNull(dollar.replyWithin(150));
            assertNull(plus.replyWithin(10));
            s.call("TS.ADD", "k", 300, 3);
            assertEquals(List.of(300L), timestamps(dollar.reply()));
            assertEquals(List.of(200L, 300L), timestamps(plus.reply()));
        }
    }

    @Test
    void everyWritePathReleasesEveryReader() {
        ValkeyServer s = valkey.server();
        List<Reader> readers = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) readers.add(new Reader(s, "later", "-", "BLOCK", 10_000, 1)); // key missing
            readers.add(new Reader(s, "inc", "-", "BLOCK", 10_000, 2));
            readers.add(new Reader(s, "madd", "-", "BLOCK", 10_000, 2));
            readers.add(new Reader(s, "copy", "-", "BLOCK", 10_000, 1));
            readers.add(new Reader(s, "restored", "-", "BLOCK", 10_000, 1));
            awaitBlocked(s, 10);
            s.call("TS.ADD", "later", 50, 5);
            for (int i = 0; i < 6; i++) assertEquals(List.of(50L), timestamps(readers.get(i).reply()));
            s.call("TS.INCRBY", "inc", 1, "TIMESTAMP", 10);
            s.call("TS.DECRBY", "inc", 1, "TIMESTAMP", 20);
            assertEquals(List.of(10L, 20L), timestamps(readers.get(6).reply()));
            assertOk(s.call("TS.CREATE", "madd"));
            s.call("TS.MADD", "madd", 1, 1, "later", 60, 6, "madd", 2, 2);
            assertEquals(List.of(1L, 2L), timestamps(readers.get(7).reply()));
            assertEquals(new Resp.Int(1), s.call("COPY", "later", "copy"));
            assertEquals(List.of(50L, 60L), timestamps(readers.get(8).reply()));
            Resp.Reply dump = s.call("DUMP", "later");
            assertOk(s.call("RESTORE", "restored", 0, ((Resp.Bulk) dump).bytes()));
            assertEquals(List.of(50L, 60L), timestamps(readers.get(9).reply()));
        } finally {
            readers.forEach(Reader::close);
        }
        assertEquals(0, blocked(s));
    }

    @Test
    void aCompactionBucketIsASampleOnceItCloses() {
        ValkeyServer s = valkey.server();
        assertOk(s.call("TS.CREATE", "src"));
        assertOk(s.call("TS.CREATE", "dst"));
        assertOk(s.call("TS.CREATERULE", "src", "dst", "AGGREGATION", "sum", 100));
        try (Reader r = new Reader(s, "dst", "-", "BLOCK", 10_000, 1)) {
            awaitBlocked(s, 1);
            s.call("TS.ADD", "src", 100, 1);
            s.call("TS.ADD", "src", 150, 2);
            assertNull(r.replyWithin(200), "the open bucket is not a sample");
            s.call("TS.ADD", "src", 250, 3);
            Resp.Reply got = r.reply();
            assertEquals(List.of(100L), timestamps(got));
            assertEquals(s.call("TS.RANGE", "dst", "-", "+"), got);
        }
    }

    @Test
    void deletionReleasesWithAnEmptyArrayAndAnotherTypeWithWrongtype() {
        ValkeyServer s = valkey.server();
        for (String how : List.of("DEL", "UNLINK", "FLUSHDB", "FLUSHALL", "PEXPIRE")) {
            s.call("TS.ADD", "k", 100, 1);
            try (Reader a = new Reader(s, "k", 0, "BLOCK", 10_000, 9); Reader b = new Reader(s, "k", 0, "BLOCK", 0, 9)) {
                awaitBlocked(s, 2);
                switch (how) {
                    case "DEL", "UNLINK" -> s.call(how, "k");
                    case "PEXPIRE" -> s.call(how, "k", 50);
                    default -> s.call(how);
                }
                assertEquals(EMPTY, a.reply(), how);
                assertEquals(EMPTY, b.reply(), how);
                assertTrue(a.elapsedMs() < 9_000, how + " released at once");
            }
        }
        s.call("TS.ADD", "k", 100, 1);
        try (Reader r = new Reader(s, "k", 0, "BLOCK", 10_000, 9)) {
            awaitBlocked(s, 1);
            assertOk(s.call("SET", "k", "v"));
            assertError(WRONGTYPE, r.reply());
        }
        assertEquals(0, blocked(s));
    }

    @Test
    void multiAndScriptsRefuseOnlyAReadThatWouldWait() {
        ValkeyServer s = seeded(100, 200, 300);
        try (Resp c = s.resp()) {
            assertOk(c.call("MULTI"));
            c.call("TS.READ", "k", "-", "BLOCK", 10_000, 3);
            c.call("TS.READ", "k", "-", "BLOCK", 0, 4);
            c.call("TS.READ", "k", "-");
            Resp.Arr exec = (Resp.Arr) c.call("EXEC");
            assertEquals(range(s, "k", 0, 0), exec.get(0));
            assertError(DENY, exec.get(1));
            assertEquals(range(s, "k", 0, 0), exec.get(2));
        }
        String script = "return redis.call('TS.READ', KEYS[1], ARGV[1], 'BLOCK', '1000', '1')";
        assertEquals(range(s, "k", 0, 0), s.call("EVAL", script, 1, "k", "-"));
        assertErrorStartsWith(DENY, s.call("EVAL", script, 1, "k", "$"));
        assertEquals(0, blocked(s));
    }

    @Test
    void aReaderOnAReplicaIsReleasedByReplicatedWrites() {
        ValkeyServer primary = valkey.server();
        primary.call("TS.ADD", "k", 100, 1);
        ValkeyServer replica = valkey.track(ValkeyServer.builder().replicaOf(primary).start());
        ReplicationIT.awaitLinkUp(replica);
        assertEquals(new Resp.Int(1), primary.call("WAIT", "1", "10000"));
        try (Reader r = new Reader(replica, "k", "-", "BLOCK", 10_000, 2);
             Reader gone = new Reader(replica, "k", "-", "BLOCK", 10_000, 9)) {
            awaitBlocked(replica, 2);
            primary.call("TS.ADD", "k", 200, 2);
            assertEquals(range(primary, "k", 0, 0), r.reply());
            primary.call("DEL", "k");
            assertEquals(EMPTY, gone.reply());
        } finally {
            replica.close();
        }
    }

    /**
     * Writers append to their own keys (TS.ADD, TS.MADD, TS.INCRBY) while readers block with random
     * cursors and counts: each reply is the start of what TS.RANGE from the cursor finally holds, at
     * least min_count samples unless the timeout passed, at most max_count.
     */
    @Test
    void concurrentWritersAndReaders() throws Exception {
        ValkeyServer s = valkey.server();
        int nKeys = 4;
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        record Seen(String key, long cursor, long min, long max, long blockMs, Resp.Reply reply, long elapsedMs) {}
        ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int id = w;
            threads.add(new Thread(() -> {
                Random rnd = new Random(id);
                long ts = 1;
                try (Resp c = s.resp()) {
                    while (!stop.get()) {
                        String key = "c" + (2 * id + rnd.nextInt(2));
                        ts += 1 + rnd.nextInt(3);
                        switch (rnd.nextInt(3)) {
                            case 0 -> c.call("TS.ADD", key, ts, rnd.nextInt(100));
                            case 1 -> c.call("TS.MADD", key, ts, 1, key, ts + 1, 2);
                            default -> c.call("TS.INCRBY", key, 1, "TIMESTAMP", ts);
                        }
                        ts++;
                        Thread.sleep(rnd.nextInt(4));
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (int rd = 0; rd < 4; rd++) {
            int id = rd;
            threads.add(new Thread(() -> {
                Random rnd = new Random(100 + id);
                try (Resp c = s.resp()) {
                    for (int i = 0; i < 40; i++) {
                        String key = "c" + rnd.nextInt(nKeys);
                        Resp.Reply last = c.call("TS.GET", key);
                        long lastTs = last instanceof Resp.Arr a && a.size() == 2 ? ((Resp.Int) a.get(0)).value() : 0;
                        long cursor = Math.max(0, lastTs - 10 + rnd.nextInt(40));
                        long min = 1 + rnd.nextInt(6);
                        long max = rnd.nextBoolean() ? min + rnd.nextInt(5) : 0;
                        long blockMs = 50 + rnd.nextInt(300);
                        long t0 = System.nanoTime();
                        Resp.Reply r = max > 0 ? c.call("TS.READ", key, cursor, "BLOCK", blockMs, min, "MAX_COUNT", max)
                                : c.call("TS.READ", key, cursor, "BLOCK", blockMs, min);
                        seen.add(new Seen(key, cursor, min, max, blockMs, r, (System.nanoTime() - t0) / 1_000_000));
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (int i = 2; i < threads.size(); i++) threads.get(i).join(120_000);
        stop.set(true);
        for (Thread t : threads) t.join(30_000);
        assertTrue(failures.isEmpty(), () -> "thread failed: " + failures);
        assertEquals(160, seen.size());
        int released = 0, timedOut = 0;
        for (Seen x : seen) {
            List<Long> got = timestamps(x.reply());
            List<Long> all = timestamps(range(s, x.key(), x.cursor(), 0));
            String what = "TS.READ " + x.key() + " " + x.cursor() + " BLOCK " + x.blockMs() + " " + x.min() + " max " + x.max();
            assertEquals(all.subList(0, got.size()), got, what + ": the start of TS.RANGE from the cursor");
            if (!got.isEmpty()) assertEquals(range(s, x.key(), x.cursor(), got.size()), x.reply(), what + ": values");
            if (x.max() > 0) assertTrue(got.size() <= x.max(), what);
            if (got.size() < x.min()) {
                assertTrue(x.elapsedMs() >= x.blockMs() - 5, what + ": fewer than min_count only at the timeout");
                timedOut++;
            } else {
                released++;
            }
        }
        assertTrue(released > 20, "readers released by writes: " + released + ", timed out: " + timedOut);
        assertEquals(0, blocked(s));
    }
}
