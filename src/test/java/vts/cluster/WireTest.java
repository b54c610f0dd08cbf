package vts.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;

import org.junit.jupiter.api.Test;

import vts.index.Results.Partial;
import vts.index.Results.Row;

class WireTest {
    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    @Test
    void slotsAreTheServersHashSlots() {
        // values from the CLUSTER KEYSLOT documentation and the hash tag rules
        assertEquals(11058, Slots.of(b("somekey")));
        assertEquals(2515, Slots.of(b("foo{hash_tag}")));
        assertEquals(2515, Slots.of(b("bar{hash_tag}")));
        assertEquals(Slots.of(b("hash_tag")), Slots.of(b("x{hash_tag}y{other}")));
        assertEquals(Slots.of(b("foo{}{bar}")), Slots.of(b("foo{}{bar}")));
        assertFalse(Slots.of(b("foo{}{bar}")) == Slots.of(b("bar")), "an empty tag hashes the whole key");
        assertEquals(Slots.of(b("{bar")), Slots.of(b("foo{{bar}}zap")));
    }

    @Test
    void anAnswerRoundTripsExactly() {
        Row r = new Row(b("k:1"), new byte[][] {b("a"), b("1"), b("b"), b("")}, 2);
        r.add(5, -0.0);
        r.add(Long.MAX_VALUE, Double.NaN);
        r.add(7, Double.longBitsToDouble(0x7ff8000000000123L)); // a NaN payload survives
        Row agg = new Row(b("k:2"), null, 0);
        agg.cols = 3;
        agg.add(10, new double[] {1.5, 2.5, 3.5});
        BitSet served = new BitSet();
        served.set(0, 5461);
        served.set(7000);
        served.set(16383);
        Partial p = new Partial(List.of(b("x"), b("")), List.of(r, agg), List.of("é", "z"), 42);
        Wire.Answer back = Wire.readAnswer(Wire.answer(new Wire.Answer(null, 7, true, served, p)).done());
        assertNull(back.error());
        assertEquals(7, back.moves());
        assertTrue(back.moving());
        assertEquals(served, back.served());
        Partial q = back.partial();
        assertEquals(2, q.keys().size());
        assertArrayEquals(b("x"), q.keys().get(0));
        assertEquals(List.of("é", "z"), q.strings());
        assertEquals(42, q.count());
        Row r2 = q.rows().get(0);
        assertArrayEquals(r.key, r2.key);
        assertEquals(4, r2.labels.length);
        assertArrayEquals(b(""), r2.labels[3]);
        assertEquals(3, r2.n);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(r2.values[0]));
        assertEquals(0x7ff8000000000123L, Double.doubleToRawLongBits(r2.values[2]));
        assertEquals(Long.MAX_VALUE, r2.ts[1]);
        Row a2 = q.rows().get(1);
        assertNull(a2.labels);
        assertEquals(3, a2.cols);
        assertEquals(2.5, a2.values[1]);
    }

    @Test
    void timestampDeltasOfAnySizeRoundTrip() {
        long[] ts = {Long.MIN_VALUE, -1, 0, 1, 60_000, 120_000, Long.MAX_VALUE, Long.MIN_VALUE, 1_700_000_000_000L};
        Row r = new Row(b(""), null, 0);
        for (long t : ts) r.add(t, t * 0.5);
        Row empty = new Row(b("e"), new byte[0][], 0); // last, no samples, two columns: ends the body
        empty.cols = 2;
        empty.ts = new long[0];
        empty.values = new double[0];
        Partial p = new Partial(List.of(), List.of(r, empty), List.of(), 0);
        byte[] body = Wire.answer(new Wire.Answer(null, 0, false, new BitSet(), p)).done();
        Row back = Wire.readAnswer(body).partial().rows().get(0);
        assertEquals(ts.length, back.n);
        for (int i = 0; i < ts.length; i++) {
            assertEquals(ts[i], back.ts[i]);
            assertEquals(ts[i] * 0.5, back.values[i]);
        }
        assertArrayEquals(b(""), back.key);
        Row e2 = Wire.readAnswer(body).partial().rows().get(1);
        assertEquals(2, e2.cols);
        assertEquals(0, e2.n);
        assertEquals(0, e2.labels.length);
        for (int cut = 1; cut < body.length; cut++) { // every truncation is refused, none reads past the end
            byte[] part = java.util.Arrays.copyOf(body, cut);
            assertThrows(IllegalArgumentException.class, () -> Wire.readAnswer(part));
        }
    }

    @Test
    void anErrorAnswerAndATruncatedOne() {
        byte[] body = Wire.answer(new Wire.Answer("NOPERM TSDB: no", 1, false, new BitSet(), null)).done();
        assertEquals("NOPERM TSDB: no", Wire.readAnswer(body).error());
        byte[] ok = Wire.answer(new Wire.Answer(null, 1, false, new BitSet(), Partial.ofCount(3))).done();
        assertThrows(IllegalArgumentException.class,
                () -> Wire.readAnswer(java.util.Arrays.copyOf(ok, ok.length - 3)));
    }

    @Test
    void topologyFromClusterNodes() {
        String text = """
                aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460 [5461-<-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb]
                bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb 127.0.0.1:7001@17001,host master - 0 0 2 connected 5461-10922
                cccccccccccccccccccccccccccccccccccccccc 127.0.0.1:7002@17002 master,fail - 0 0 3 connected 10923-16383
                dddddddddddddddddddddddddddddddddddddddd 127.0.0.1:7003@17003 slave aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 0 0 1 connected
                eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee :0@0 handshake,noaddr - 0 0 0 disconnected
                """;
        Topology t = Topology.parse(b(text));
        assertEquals(4, t.nodes.size());
        assertEquals(3, t.shards().size(), "a failed primary that still serves slots is asked (and times out)");
        assertTrue(t.covered());
        assertEquals("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 127.0.0.1:7000", t.myself().describe());
        assertEquals(5461, t.myself().slots().cardinality());
        assertTrue(t.moving);
        assertTrue(t.importing.get(5461));
        assertEquals(1, t.importing.cardinality());
        assertFalse(Topology.parse(b(text.replace("10923-16383", "10923-16382"))).covered());
    }
}
