package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The JVM rules of DESIGN.md seen from outside: the JVM's signal handlers survive
 * {@code CONFIG SET crash-log-enabled} (HotSpot's implicit null checks need SIGSEGV), Java
 * exception paths answer errors, and a command that needs more Java heap than there is answers
 * (an error or the full reply) with the server still serving.
 */
class JvmRulesIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension();

    /** Module arguments for a tiny heap; override with -Dvts.tinyHeapArgs="JVM_OPTIONS|-Xms8m -Xmx16m". */
    static String[] tinyHeapArgs() {
        return System.getProperty("vts.tinyHeapArgs", "JVM_OPTIONS|-Xms8m -Xmx16m").split("\\|");
    }

    /** Many commands, a third of them errors of every kind, pipelined; checks each reply's kind. */
    static void manyCommands(ValkeyServer s, int n, long seed) {
        Random rnd = new Random(seed);
        s.call("SET", "str", "x");
        try (Resp r = s.resp()) {
            List<Class<?>> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String key = "jvm:" + rnd.nextInt(50);
                switch (rnd.nextInt(12)) {
                    case 0 -> { r.send("TS.ADD", key, i + 1, rnd.nextGaussian()); expected.add(null); }
                    case 1 -> { r.send("TS.RANGE", key, "-", "+", "COUNT", "5"); expected.add(null); }
                    case 2 -> { r.send("TS.GET", "missing:" + i); expected.add(Resp.Err.class); }
                    case 3 -> { r.send("TS.ADD", key, "1", "notanumber"); expected.add(Resp.Err.class); }
                    case 4 -> { r.send("TS.ADD", key, "nan-ts", "1"); expected.add(Resp.Err.class); }
                    case 5 -> { r.send("TS.INFO", "str"); expected.add(Resp.Err.class); }
                    case 6 -> { r.send("TS.CREATE", key, "CHUNK_SIZE", "7"); expected.add(Resp.Err.class); }
                    case 7 -> { r.send("TS.RANGE", key, "x", "+"); expected.add(Resp.Err.class); }
                    case 8 -> { r.send("TS.MADD", key, "1"); expected.add(Resp.Err.class); }
                    case 9 -> { r.send("TS.INCRBY", key, "1", "TIMESTAMP"); expected.add(Resp.Err.class); }
                    case 10 -> { r.send("TS.ALTER", "missing", "LABELS", "a"); expected.add(Resp.Err.class); }
                    default -> { r.send("TS.INFO", key); expected.add(null); }
                }
            }
            for (int i = 0; i < n; i++) {
                Resp.Reply reply = r.read();
                if (expected.get(i) != null) assertInstanceOf(expected.get(i), reply, "reply " + i);
            }
        }
    }

    @Test
    void crashLogConfigKeepsJvmHandlers() {
        ValkeyServer s = valkey.server();
        long pid = s.pid();
        manyCommands(s, 20_000, 1); // warm up: JIT-compiled code uses implicit null checks
        assertOk(s.call("CONFIG", "SET", "crash-log-enabled", "no"));
        manyCommands(s, 20_000, 2);
        assertOk(s.call("CONFIG", "SET", "crash-log-enabled", "yes"));
        manyCommands(s, 60_000, 3);
        assertOk(s.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"));
        assertOk(s.call("CONFIG", "SET", "crash-log-enabled", "no", "maxmemory-policy", "noeviction"));
        assertOk(s.call("CONFIG", "SET", "crash-log-enabled", "yes"));
        manyCommands(s, 60_000, 4);
        assertTrue(s.ping(), "the server survived\n" + s.logTail(40));
        assertEquals(pid, s.pid(), "same process");
    }

    @Test
    void tinyHeap() {
        ValkeyServer s = valkey.track(ValkeyServer.builder().moduleArgs(tinyHeapArgs()).start());
        // a big series: its full range does not fit a 16 MB heap if built there
        assertOk(s.call("TS.CREATE", "big", "ENCODING", "UNCOMPRESSED"));
        int perCommand = 2000;
        int commands = 300;
        try (Resp r = s.resp()) {
            for (int c = 0; c < commands; c++) {
                Object[] args = new Object[1 + 3 * perCommand];
                args[0] = "TS.MADD";
                for (int i = 0; i < perCommand; i++) {
                    long ts = (long) c * perCommand + i + 1;
                    args[1 + 3 * i] = "big";
                    args[2 + 3 * i] = ts;
                    args[3 + 3 * i] = ts * 0.001;
                }
                r.send(args);
            }
            for (int c = 0; c < commands; c++) assertInstanceOf(Resp.Arr.class, r.read(), "TS.MADD " + c);
        }
        long total = (long) perCommand * commands;
        assertEquals(total, infoLong(s, "big", "totalSamples"));
        for (int round = 0; round < 3; round++) {
            Resp.Reply range = s.call("TS.RANGE", "big", "-", "+");
            System.out.println("tiny heap: TS.RANGE of " + total + " samples answered "
                    + (range instanceof Resp.Arr a ? a.size() + " samples" : range));
            if (range instanceof Resp.Arr a) assertEquals(total, a.size(), "a full reply");
            else assertInstanceOf(Resp.Err.class, range);
            Resp.Reply rev = s.call("TS.REVRANGE", "big", "-", "+");
            if (rev instanceof Resp.Arr a) assertEquals(total, a.size(), "a full reply");
            else assertInstanceOf(Resp.Err.class, rev);
            assertTrue(s.ping(), "serving after a huge range\n" + s.logTail(30));
        }

        // thousands of labels: the parsed request alone is larger than the heap
        List<Object> create = new ArrayList<>(List.of("TS.CREATE", "labels", "LABELS"));
        for (int i = 0; i < 300_000; i++) {
            create.add("label-name-" + i);
            create.add("label-value-with-some-length-" + i);
        }
        Resp.Reply r = s.call(create.toArray());
        System.out.println("tiny heap: TS.CREATE with 300000 labels answered " + r);
        assertTrue(r instanceof Resp.Err || r.equals(new Resp.Simple("OK")), "an error or OK: " + r);
        assertTrue(s.ping(), "serving after a huge TS.CREATE\n" + s.logTail(30));
        if (r instanceof Resp.Simple) {
            Resp.Reply info = s.call("TS.INFO", "labels");
            assertTrue(info instanceof Resp.Err || info instanceof Resp.Arr, "TS.INFO: " + info);
        }

        // and ordinary work goes on
        assertEquals(5, integer(s.call("TS.ADD", "small", "5", "1.5")));
        assertEquals(List.of("5:1.5"), samples2(s.call("TS.RANGE", "small", "-", "+")));
        assertEquals(List.of("1000:1"), samples2(s.call("TS.RANGE", "big", "1000", "1000")));
        assertTrue(s.ping());
    }
}
