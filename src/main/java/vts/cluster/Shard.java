package vts.cluster;

import java.util.BitSet;

import vts.bridge.Api;
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

    private static final int LOADING = 1 << 13; // VALKEYMODULE_CTX_FLAGS_LOADING

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
        purge();
        Wire.Out answer = Wire.answer(evaluate(ctx, Topology.current(ctx, attempt > 1), argv, user));
        Outgoing o = new Outgoing(from, id, attempt, answer.b, answer.n, Api.milliseconds());
        // at most WINDOW bytes beyond what the coordinator acknowledged are in flight, so a
        // large answer never piles up in the bus link's send buffer (cluster-link-sendbuf-limit)
        o.pump(ctx);
        if (o.off < o.length) OUTGOING.put(o.key(), o);
    }

    /** Bytes of an answer in flight at once; the coordinator acknowledges every ACK_EVERY bytes. */
    static final int WINDOW = 1024 * 1024, ACK_EVERY = 256 * 1024;

    /** An answer being sent piece by piece. */
    private static final class Outgoing {
        final String to;
        final long id, created;
        final int attempt;
        final byte[] body;
        final int length;
        int off, acked;

        Outgoing(String to, long id, int attempt, byte[] body, int length, long created) {
            this.to = to;
            this.id = id;
            this.attempt = attempt;
            this.body = body;
            this.length = length;
            this.created = created;
        }

        String key() { return key(to, id, attempt); }

        static String key(String to, long id, int attempt) { return to + ":" + id + ":" + attempt; }

        /** Sends pieces while the window allows. */
        void pump(long ctx) {
            while (off - acked < WINDOW && sendNext(ctx)) { }
        }

        /** Sends the next piece (the first one even if the body is empty); false when none is left. */
        boolean sendNext(long ctx) {
            if (off >= length && (off > 0 || length > 0)) return false;
            int n = Math.min(Wire.PIECE - Wire.ANSWER_HEAD, length - off);
            byte[] head = new Wire.Out(Wire.ANSWER_HEAD).u64(id).u32(attempt).u32(length).u32(off).done();
            Bus.send(ctx, to, Wire.ANSWER, head, body, off, n);
            off += n;
            return off < length;
        }
    }

    private static final java.util.Map<String, Outgoing> OUTGOING = new java.util.HashMap<>();

    /** The coordinator holds this much of an answer: send what the window now allows. */
    static void ack(long ctx, String from, byte[] payload) {
        Wire.In in = new Wire.In(payload);
        long id = in.u64();
        int attempt = in.u32();
        int received = in.u32();
        String key = Outgoing.key(from, id, attempt);
        Outgoing o = OUTGOING.get(key);
        if (o == null) return;
        o.acked = Math.max(o.acked, Math.min(received, o.off));
        o.pump(ctx);
        if (o.off >= o.length) OUTGOING.remove(key);
    }

    /** Drops answers whose coordinator stopped acknowledging (it gave up or went away). */
    private static void purge() {
        if (OUTGOING.isEmpty()) return;
        long now = Api.milliseconds(), keep = 2 * Bus.timeoutMs() + 1000;
        OUTGOING.values().removeIf(o -> now - o.created > keep);
    }

    static void probe(long ctx, String from, byte[] payload) {
        Wire.In in = new Wire.In(payload);
        long id = in.u64();
        int attempt = in.u32();
        Bus.send(ctx, from, Wire.COUNTER, Wire.counter(id, attempt, moves), new byte[0], 0, 0);
    }

    /** This node's answer to argv for user, by its own view t of the cluster (also the coordinator's own share). */
    static Wire.Answer evaluate(long ctx, Topology t, byte[][] argv, byte[] user) {
        Topology.Node me = t.myself();
        BitSet owned = me != null && me.primary() ? me.slots() : new BitSet();
        BitSet keep = (BitSet) owned.clone();
        keep.or(t.importing);
        if ((Api.contextFlags(ctx) & LOADING) != 0) { // bus messages are served while loading: its index is not whole yet
            return new Wire.Answer("LOADING cluster shard " + (me == null ? "?" : me.describe())
                    + " is loading the dataset in memory", moves, t.moving, owned, null);
        }
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
