package vts.cluster;

import vts.bridge.Api;
import vts.bridge.Bridge;
import vts.bridge.NativeArgs;
import vts.mem.Mem;

/**
 * The door of the cluster fan-out. In cluster mode a multi-series command is parsed and
 * validated on the node that got it as always, then {@link #fanOut} blocks the client, asks
 * every primary that serves slots ({@link Coordinator}), each evaluates its share
 * ({@link Shard}), and the merged reply is written when all partial results are in.
 */
public final class Cluster {
    private Cluster() {}

    // native/cluster.h CEV_*
    private static final int CEV_MESSAGE = 1, CEV_REPLY = 2, CEV_FREE = 3, CEV_TIMER = 4, CEV_INSTALL = 5;
    private static final int CTX_FLAGS_CLUSTER = 1 << 5, CTX_FLAGS_REPLICATED = 1 << 12, CTX_FLAGS_LOADING = 1 << 13,
            CTX_FLAGS_DENY_BLOCKING = 1 << 21;

    /** Called once at load with the address of native/cluster.c's function table. */
    private static void install(long fnTable) {
        Bus.install(fnTable);
        Bridge.addKeyspaceListener(Shard.MOVES);
    }

    /**
     * In cluster mode, takes over the (already validated) command in a: blocks the client and
     * fans out; returns false outside cluster mode (the caller evaluates locally).
     */
    public static boolean fanOut(long ctx, NativeArgs a) {
        if (!Bus.installed()) return false;
        int flags = Api.contextFlags(ctx);
        if ((flags & CTX_FLAGS_CLUSTER) == 0 || (flags & (CTX_FLAGS_REPLICATED | CTX_FLAGS_LOADING)) != 0) return false;
        if ((flags & CTX_FLAGS_DENY_BLOCKING) != 0) {
            throw new vts.command.TsException("ERR TSDB: in a cluster, " + a.string(0).toUpperCase(java.util.Locale.ROOT)
                    + " asks every shard and cannot run inside MULTI or a script");
        }
        byte[][] argv = new byte[a.count()][];
        for (int i = 0; i < argv.length; i++) argv[i] = a.bytes(i);
        Coordinator.start(ctx, argv, userName(ctx));
        return true;
    }

    /**
     * The name of a destination ts-compaction-policy creates for source (plain: the
     * reference's {@code source_AGG_bucket}). In a cluster it must hash to the source's slot:
     * the plain name does when the source has a hash tag; else the source is wrapped as a
     * tag, {@code {source}_AGG_bucket}. Null if neither lands in the source's slot (a source
     * name with braces but no usable tag); the caller skips that rule.
     */
    public static byte[] compactionKey(long ctx, byte[] source, byte[] plain) {
        if ((Api.contextFlags(ctx) & CTX_FLAGS_CLUSTER) == 0) return plain;
        int slot = Slots.of(source);
        if (Slots.of(plain) == slot) return plain;
        byte[] wrapped = new byte[plain.length + 2];
        wrapped[0] = '{';
        System.arraycopy(source, 0, wrapped, 1, source.length);
        wrapped[source.length + 1] = '}';
        System.arraycopy(plain, source.length, wrapped, source.length + 2, plain.length - source.length);
        return Slots.of(wrapped) == slot ? wrapped : null;
    }

    private static byte[] userName(long ctx) {
        long s = Api.currentUserName(ctx);
        if (s == 0) return null;
        try {
            return Api.stringBytes(s);
        } finally {
            Api.freeString(ctx, s);
        }
    }

    /** The upcall from native/cluster.c (through Bridge, which catches what escapes). */
    public static void event(int kind, long ctx, long a, long b, long ptr, long len) {
        switch (kind) {
            case CEV_MESSAGE -> {
                byte[] sender = new byte[40];
                Mem.copyToArray(a, sender, 0, 40);
                byte[] payload = new byte[(int) len];
                if (len > 0) Mem.copyToArray(ptr, payload, 0, payload.length);
                ClusterStats.bytesReceived += len;
                String from = new String(sender, java.nio.charset.StandardCharsets.US_ASCII);
                try {
                    switch ((int) b) {
                        case Wire.REQUEST -> Shard.request(ctx, from, payload);
                        case Wire.PROBE -> Shard.probe(ctx, from, payload);
                        case Wire.ANSWER -> Coordinator.answerPiece(ctx, from, payload);
                        case Wire.COUNTER -> Coordinator.counter(ctx, from, payload);
                        case Wire.ACK -> Shard.ack(ctx, from, payload);
                        default -> { }
                    }
                } catch (IllegalArgumentException e) {
                    Bridge.log("warning", "timeseries: bad cluster message from " + from + ": " + e.getMessage());
                }
            }
            case CEV_REPLY -> Coordinator.reply(ctx, a);
            case CEV_FREE -> Coordinator.forget(a);
            case CEV_TIMER -> Coordinator.timer(ctx, a);
            case CEV_INSTALL -> install(a);
            default -> { }
        }
    }
}
