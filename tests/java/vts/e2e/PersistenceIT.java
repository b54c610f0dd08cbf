package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random series survive BGSAVE + restart, SIGTERM + restart (Valkey's own shutdown saves),
 * BGREWRITEAOF with and without the RDB preamble + restart, and DEBUG RELOAD: TS.RANGE - + and
 * TS.INFO DEBUG compare equal before and after. A BGSAVE during heavy TS.ADD traffic completes.
 */
class PersistenceIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension(b -> b.config("save", "3600", "1"))
            .flushAllBeforeEach();

    static final Duration PERSIST_TIMEOUT = Duration.ofSeconds(60);

    static void awaitBgsave(ValkeyServer s) {
        s.await("BGSAVE to finish", PERSIST_TIMEOUT, () -> "0".equals(s.info("persistence", "rdb_bgsave_in_progress")));
        assertEquals("ok", s.info("persistence", "rdb_last_bgsave_status"), s.logTail(20));
    }

    static void awaitAofRewrite(ValkeyServer s) {
        s.await("AOF rewrite to finish", PERSIST_TIMEOUT,
                () -> "0".equals(s.info("persistence", "aof_rewrite_in_progress"))
                        && "0".equals(s.info("persistence", "aof_rewrite_scheduled")));
        assertEquals("ok", s.info("persistence", "aof_last_bgrewrite_status"), s.logTail(20));
    }

    /** After a reload: the loaded series still take samples at their ends. */
    static void stillWritable(ValkeyServer s, Map<String, List<Resp.Reply>> snap) {
        for (var e : snap.entrySet()) {
            Resp.Arr samples = (Resp.Arr) e.getValue().get(1);
            long next = samples.size() == 0 ? 1 : integer(array(samples.get(samples.size() - 1)).get(0)) + 1;
            Resp.Reply r = s.call("TS.ADD", e.getKey(), next, "42", "ON_DUPLICATE", "LAST");
            assertEquals(new Resp.Int(next), r, "TS.ADD after reload on " + e.getKey());
            assertEquals(samples.size() + 1L, array(s.call("TS.RANGE", e.getKey(), "-", "+")).size(),
                    "one more sample in " + e.getKey());
        }
    }

    @Test
    void bgsaveAndRestart() {
        ValkeyServer s = valkey.server();
        List<String> keys = Dataset.write(s, 1, "bg:", 40, 3000);
        var before = Dataset.snapshot(s, keys);
        Dataset.totalSamples(before);
        assertEquals(new Resp.Simple("Background saving started"), s.call("BGSAVE"));
        awaitBgsave(s);
        s.stopNoSave(); // what is loaded next is what BGSAVE wrote
        s.startAgain();
        Dataset.assertSame(before, Dataset.snapshot(s, keys), "after BGSAVE and restart");
        stillWritable(s, before);
    }

    @Test
    void sigtermSavesAndRestarts() {
        ValkeyServer s = valkey.server();
        List<String> keys = Dataset.write(s, 2, "term:", 40, 3000);
        var before = Dataset.snapshot(s, keys);
        s.sigterm();
        assertEquals(0, s.exitCode(), "Valkey's shutdown ran and exited 0\n" + s.logTail(20));
        assertTrue(s.log().contains("DB saved on disk"), "shutdown saved the RDB\n" + s.logTail(20));
        s.startAgain();
        Dataset.assertSame(before, Dataset.snapshot(s, keys), "after SIGTERM and restart");
    }

    @Test
    void debugReload() {
        ValkeyServer s = valkey.server();
        List<String> keys = Dataset.write(s, 3, "reload:", 40, 3000);
        var before = Dataset.snapshot(s, keys);
        assertOk(s.call("DEBUG", "RELOAD"));
        Dataset.assertSame(before, Dataset.snapshot(s, keys), "after DEBUG RELOAD");
        stillWritable(s, before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no"})
    void aofRewriteAndRestart(String preamble) {
        ValkeyServer s = valkey.track(ValkeyServer.builder().config("appendonly", "yes")
                .config("aof-use-rdb-preamble", preamble).config("appendfsync", "always").start());
        List<String> keys = new ArrayList<>(Dataset.write(s, 4, "aof:", 30, 2000));
        s.call("BGREWRITEAOF");
        awaitAofRewrite(s);
        // more writes after the rewrite land in the incremental AOF, on top of the rewritten base
        keys.addAll(Dataset.write(s, 5, "aof2:", 10, 500));
        s.call("TS.ADD", keys.get(5), "1", "-1", "ON_DUPLICATE", "LAST");
        s.call("TS.DEL", keys.get(6), "0", "1600000500000");
        var before = Dataset.snapshot(s, keys);
        s.stopNoSave();
        s.startAgain();
        assertTrue(s.log().contains("DB loaded from") || s.log().contains("Reading RDB base file"),
                "loaded from the AOF\n" + s.logTail(20));
        Dataset.assertSame(before, Dataset.snapshot(s, keys), "after BGREWRITEAOF (preamble " + preamble + ") and restart");
        // and once more: a rewrite of what was loaded, then a restart
        s.call("BGREWRITEAOF");
        awaitAofRewrite(s);
        s.stopNoSave();
        s.startAgain();
        Dataset.assertSame(before, Dataset.snapshot(s, keys), "after a second rewrite and restart");
    }

    @Test
    void bgsaveDuringHeavyWrites() throws Exception {
        ValkeyServer s = valkey.server();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong written = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Thread writer = new Thread(() -> {
            try (Resp r = s.resp()) {
                long ts = 1;
                while (!stop.get()) {
                    for (int i = 0; i < 500; i++) r.send("TS.ADD", "heavy:" + (i % 16), ts + i / 16, i * 0.25);
                    for (int i = 0; i < 500; i++) {
                        if (r.read() instanceof Resp.Err) errors.incrementAndGet();
                    }
                    ts += 500 / 16 + 1;
                    written.addAndGet(500);
                }
            }
        }, "heavy-writer");
        writer.start();
        try {
            s.await("some writes", Duration.ofSeconds(10), () -> written.get() > 20_000);
            for (int round = 0; round < 3; round++) {
                Resp.Reply r = s.call("BGSAVE");
                assertTrue(r instanceof Resp.Simple, "BGSAVE: " + r);
                awaitBgsave(s);
            }
        } finally {
            stop.set(true);
            writer.join(30_000);
        }
        assertEquals(0, errors.get(), "no TS.ADD failed during BGSAVE");
        assertTrue(s.ping());
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 16; i++) keys.add("heavy:" + i);
        var before = Dataset.snapshot(s, keys);
        s.call("BGSAVE");
        awaitBgsave(s);
        s.stopNoSave();
        s.startAgain();
        Dataset.assertSame(before, Dataset.snapshot(s, keys), "after BGSAVE of a heavily written set");
    }
}
