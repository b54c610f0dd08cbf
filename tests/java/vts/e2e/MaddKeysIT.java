package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static vts.e2e.Ts.*;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * TS.MADD and TS.ADD over keys of every kind in one batch (native/write.c settles a key's type
 * with as few module API calls as it can), and TS.MADD's argument arrays (native/module.c keeps
 * them between commands up to 4,096 arguments) across commands of different sizes; and the
 * keys they write seen as modified by WATCH and by client-side caching, whichever moment of the
 * command the server is told (native/write.c closes a series' key as soon as it is read).
 */
class MaddKeysIT extends ServerTests {
    @Test
    void everyKindOfKeyInOneBatch() {
        assertOk(call("TS.CREATE", "a"));
        call("SET", "str", "x");
        call("RPUSH", "list", "x");
        call("HSET", "hash", "f", "v");
        call("ZADD", "zset", "1", "m");
        Resp.Arr r = array(call("TS.MADD", "a", "10", "1", "missing", "10", "1", "str", "10", "1", "list", "10", "1",
                "hash", "10", "1", "zset", "10", "1", "a", "11", "2"));
        assertEquals(7, r.size());
        assertEquals(new Resp.Int(10), r.get(0));
        assertError(NOT_TSDB, r.get(1));
        for (int i = 2; i <= 5; i++) assertError(WRONGTYPE, r.get(i));
        assertEquals(new Resp.Int(11), r.get(6));
        assertEquals(List.of("10:1", "11:2"), samples2(call("TS.RANGE", "a", "-", "+")));
        assertEquals(0, integer(call("EXISTS", "missing")), "TS.MADD creates no key");
        assertEquals("x", text(call("GET", "str")));
        assertEquals(1, integer(call("LLEN", "list")));
        assertError(WRONGTYPE, call("TS.ADD", "str", "1", "1"));
        assertError(WRONGTYPE, call("TS.ADD", "hash", "1", "1"));
        assertEquals(5, integer(call("TS.ADD", "fresh", "5", "1")), "TS.ADD creates a missing key");
    }

    @Test
    void argumentArraysAcrossCommandSizes() {
        int series = 50;
        for (int s = 0; s < series; s++) assertOk(call("TS.CREATE", "s" + s));
        // 11 arguments on the stack, 601 and 34 in the kept arrays, 4,201 in arrays of their own, then kept again
        int[] triples = {3, 200, 11, 1400, 20};
        long t = 1000;
        int[] added = new int[series];
        for (int n : triples) {
            List<Object> args = new ArrayList<>(List.of("TS.MADD"));
            List<Long> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int s = i % series;
                long ts = t + i; // distinct and rising within each series
                args.add("s" + s);
                args.add(Long.toString(ts));
                args.add(s + "." + (1 + i % 9)); // no trailing zero: the reply text is the same
                expected.add(ts);
                added[s]++;
            }
            Resp.Arr r = array(call(args.toArray()));
            assertEquals(n, r.size(), n + " triples");
            for (int i = 0; i < n; i++) assertEquals(new Resp.Int(expected.get(i)), r.get(i), "triple " + i + " of " + n);
            long lastTs = t + n - 1;
            int lastSeries = (n - 1) % series;
            assertEquals(List.of(lastTs + ":" + lastSeries + "." + (1 + (n - 1) % 9)),
                    samples2(call("TS.RANGE", "s" + lastSeries, lastTs, lastTs)));
            t += 10_000;
        }
        for (int s = 0; s < series; s++) {
            assertEquals(added[s], integer(info(server, "s" + s).get("totalSamples")), "samples of s" + s);
        }
    }

    @Test
    void watchSeesTheWrittenKeys() {
        assertOk(call("TS.CREATE", "w1"));
        assertOk(call("TS.CREATE", "w2"));
        try (Resp a = server.resp()) {
            assertOk(a.call("WATCH", "w2"));
            assertOk(a.call("MULTI"));
            a.call("TS.GET", "w2");
            array(call("TS.MADD", "w1", "1", "1", "w2", "1", "1"));
            assertInstanceOf(Resp.Null.class, a.call("EXEC"), "TS.MADD touched a watched key: EXEC aborts");

            assertOk(a.call("WATCH", "w2"));
            assertOk(a.call("MULTI"));
            a.call("TS.GET", "w2");
            assertEquals(2, integer(call("TS.ADD", "w2", "2", "2")));
            assertInstanceOf(Resp.Null.class, a.call("EXEC"), "TS.ADD touched a watched key: EXEC aborts");

            assertOk(a.call("WATCH", "w2"));
            assertOk(a.call("MULTI"));
            a.call("TS.GET", "w2");
            array(call("TS.MADD", "w1", "3", "3"));
            assertEquals(1, array(a.call("EXEC")).size(), "a TS.MADD of other keys leaves the watch alone");
        }
    }

    @Test
    void clientSideCachingIsInvalidatedAfterTheReply() {
        assertOk(call("TS.CREATE", "c1"));
        assertEquals(1, integer(call("TS.ADD", "c1", "1", "1")));
        try (Resp a = server.resp(); Resp b = server.resp()) {
            a.hello3();
            assertOk(a.call("CLIENT", "TRACKING", "ON"));
            a.call("TS.GET", "c1"); // the key is now cached by a
            array(b.call("TS.MADD", "c1", "2", "2"));
            Resp.Reply push = a.readWithin(5000);
            assertEquals(List.of("invalidate", List.of("c1")), push.plain(), "another client's TS.MADD invalidates");
            assertNull(a.readWithin(200), "one invalidation");

            a.call("TS.GET", "c1");
            Resp.Reply own = a.call("TS.MADD", "c1", "3", "3");
            assertEquals(List.of(3L), own.plain(), "the reply comes first");
            assertEquals(List.of("invalidate", List.of("c1")), a.readWithin(5000).plain(),
                    "then the invalidation of the client's own write");

            a.call("TS.GET", "c1");
            assertEquals(4, integer(b.call("TS.ADD", "c1", "4", "4")));
            assertEquals(List.of("invalidate", List.of("c1")), a.readWithin(5000).plain(), "TS.ADD invalidates");
        }
    }
}
