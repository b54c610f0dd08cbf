package vts.cluster;

import java.util.BitSet;

import vts.bridge.Bridge;
import vts.command.Args;
import vts.command.MultiCommands;
import vts.command.TsException;

/**
 * The shard side: evaluates a fanned-out command on this node, for the keys of the slots
 * it serves (owned, and importing: a key that arrived by MIGRATE lives here already), as the
 * calling user, and answers with its partial result, the slots it answered for, and its
 * moves counter.
 */
final class Shard {
    private Shard() {}

    /**
     * Counts series arriving by RESTORE (how MIGRATE moves a key in) and series leaving
     * (MIGRATE deletes the key at its source). If it changed between a shard's answer and the
     * end of the query, a key may have moved between two shards' answers, and the query
     * is asked again (see Coordinator).
     */
    static long moves;

    static final Bridge.KeyspaceListener MOVES = new Bridge.KeyspaceListener() {
        @Override public void added(long ctx, int db, byte[] key, long series, int cause) {
            if (cause == RESTORED) moves++;
        }

        @Override public void removed(long ctx, int db, byte[] key, long series, int cause) { moves++; }

        @Override public void flushed(long ctx, int db) { moves++; }

        @Override public void swapped(long ctx, int db1, int db2) { moves++; }
    };

    static void request(long ctx, String from, byte[] payload) {
        Wire.In in = new Wire.In(payload);
        long id = in.u64();
        int attempt = in.u32();
        byte[] user = in.bytes();
        int argc = in.u32();
        if (argc < 1 || argc > payload.length) throw new IllegalArgumentException("bad argc");
        byte[][] argv = new byte[argc][];
        for (int i = 0; i < argc; i++) argv[i] = in.bytes();
        ClusterStats.requestsServed++;
        byte[] body = Wire.answer(evaluate(ctx, argv, user));
        // pieces of at most Wire.PIECE bytes; one link carries them to the coordinator in order
        int total = body.length;
        int off = 0;
        do {
            int n = Math.min(Wire.PIECE - Wire.ANSWER_HEAD, total - off);
            byte[] head = new Wire.Out().u64(id).u32(attempt).u32(total).u32(off).done();
            Bus.send(ctx, from, Wire.ANSWER, head, body, off, n);
            off += n;
        } while (off < total);
    }

    static void probe(long ctx, String from, byte[] payload) {
        Wire.In in = new Wire.In(payload);
        long id = in.u64();
        int attempt = in.u32();
        Bus.send(ctx, from, Wire.COUNTER, Wire.counter(id, attempt, moves), new byte[0], 0, 0);
    }

    /** This node's answer to argv for user (also used by the coordinator for its own share). */
    static Wire.Answer evaluate(long ctx, byte[][] argv, byte[] user) {
        Topology t = Topology.parse(Bus.clusterNodes(ctx));
        Topology.Node me = t.myself();
        BitSet owned = me != null && me.primary() ? me.slots() : new BitSet();
        BitSet keep = (BitSet) owned.clone();
        keep.or(t.importing);
        try {
            var p = MultiCommands.evaluate(ctx, Args.ofBytes(argv), new MultiCommands.Scope(user == null ? new byte[0] : user,
                    k -> keep.get(Slots.of(k))));
            return new Wire.Answer(null, moves, t.moving, owned, p);
        } catch (TsException e) {
            return new Wire.Answer(e.getMessage(), moves, t.moving, owned, null);
        } catch (RuntimeException e) {
            Bridge.log("warning", "timeseries: cluster shard evaluation failed: " + e);
            return new Wire.Answer("ERR TSDB: internal error on a cluster shard: " + e, moves, t.moving, owned, null);
        }
    }
}
