package vts.cluster;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import vts.mem.Mem;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** Downcalls into native/cluster.c (its function table, handed over at load). */
final class Bus {
    private Bus() {}

    private static MethodHandle nodes, send, block, unblock, timer, stopTimer, timeoutMs, topologyGen, nodeFlags, topologyQuietMs, nodelay;

    static void install(long table) {
        MemorySegment t = MemorySegment.ofAddress(table).reinterpret(8 * 11);
        Linker l = Linker.nativeLinker();
        nodes = l.downcallHandle(MemorySegment.ofAddress(t.getAtIndex(JAVA_LONG, 0)),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG));
        send = l.downcallHandle(MemorySegment.ofAddress(t.getAtIndex(JAVA_LONG, 1)),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
        block = l.downcallHandle(MemorySegment.ofAddress(t.getAtIndex(JAVA_LONG, 2)),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        unblock = l.downcallHandle(MemorySegment.ofAddress(t.getAtIndex(JAVA_LONG, 3)),
                FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG));
        timer = l.downcallHandle(MemorySegment.ofAddress(t.getAtIndex(JAVA_LONG, 4)),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        stopTimer = l.downcallHandle(MemorySegment.ofAddress(t.getAtIndex(JAVA_LONG, 5)),
                FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG));
        timeoutMs = l.downcallHandle(MemorySegment.ofAddress(t.getAtIndex(JAVA_LONG, 6)),
                FunctionDescriptor.of(JAVA_LONG));
        topologyGen = l.downcallHandle(MemorySegment.ofAddress(t.getAtIndex(JAVA_LONG, 7)),
                FunctionDescriptor.of(JAVA_LONG));
        nodeFlags = l.downcallHandle(MemorySegment.ofAddress(t.getAtIndex(JAVA_LONG, 8)),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
        topologyQuietMs = l.downcallHandle(MemorySegment.ofAddress(t.getAtIndex(JAVA_LONG, 9)),
                FunctionDescriptor.of(JAVA_LONG));
        nodelay = l.downcallHandle(MemorySegment.ofAddress(t.getAtIndex(JAVA_LONG, 10)),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    }

    static boolean installed() { return nodes != null; }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** CLUSTER NODES as this node answers it. */
    static byte[] clusterNodes(long ctx) {
        long lenOut = Mem.alloc(8);
        try {
            long p = (long) nodes.invokeExact(ctx, lenOut);
            if (p == 0) throw new IllegalStateException("CLUSTER NODES failed");
            byte[] b = new byte[(int) Mem.getLong(lenOut)];
            Mem.copyToArray(p, b, 0, b.length);
            Mem.free(p);
            return b;
        } catch (Throwable t) {
            throw unchecked(t);
        } finally {
            Mem.free(lenOut);
        }
    }

    private static long buf;
    private static int bufCap;

    /** Sends one message of body[from, from+len) after head to node; false if the server refused (unknown node). */
    static boolean send(long ctx, String node, int type, byte[] head, byte[] body, int from, int len) {
        byte[] id = (node + "\0").getBytes(StandardCharsets.US_ASCII);
        int total = id.length + head.length + len;
        if (total > bufCap) {
            if (buf != 0) Mem.free(buf);
            bufCap = Math.max(total, 4096);
            buf = Mem.alloc(bufCap);
        }
        Mem.copyFromArray(id, 0, buf, id.length);
        long msg = buf + id.length;
        Mem.copyFromArray(head, 0, msg, head.length);
        if (len > 0) Mem.copyFromArray(body, from, msg + head.length, len);
        try {
            ClusterStats.bytesSent += head.length + len;
            return (int) send.invokeExact(ctx, buf, type, msg, (long) (head.length + len)) == 0;
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    static long block(long ctx) {
        try { return (long) block.invokeExact(ctx); } catch (Throwable t) { throw unchecked(t); }
    }

    static void unblock(long bc, long id) {
        try { unblock.invokeExact(bc, id); } catch (Throwable t) { throw unchecked(t); }
    }

    static long timer(long ctx, long ms, long data) {
        try { return (long) timer.invokeExact(ctx, ms, data); } catch (Throwable t) { throw unchecked(t); }
    }

    static void stopTimer(long ctx, long id) {
        try { stopTimer.invokeExact(ctx, id); } catch (Throwable t) { throw unchecked(t); }
    }

    /** Bumped by every CLUSTER command run on this node that may change its slots or role (native/cluster.c). */
    static long topologyGen() {
        try { return (long) topologyGen.invokeExact(); } catch (Throwable t) { throw unchecked(t); }
    }

    /** Milliseconds since the last such command, -1 if none ran since load. */
    static long topologyQuietMs() {
        try { return (long) topologyQuietMs.invokeExact(); } catch (Throwable t) { throw unchecked(t); }
    }

    /** TCP_NODELAY on this node's bus links to these cluster bus ports (native/cluster.c says why); how many changed. */
    static int nodelay(int[] ports) {
        if (ports.length == 0) return 0;
        long p = Mem.alloc(4L * ports.length);
        try {
            for (int i = 0; i < ports.length; i++) Mem.putInt(p + 4L * i, ports[i]);
            return (int) nodelay.invokeExact(p, ports.length);
        } catch (Throwable t) {
            throw unchecked(t);
        } finally {
            Mem.free(p);
        }
    }

    private static long idBuf;

    /** The VALKEYMODULE_NODE_* flags this node has for node id, or -1 if it does not know the node. */
    static int nodeFlags(long ctx, String id) {
        if (idBuf == 0) idBuf = Mem.alloc(64);
        byte[] b = id.getBytes(StandardCharsets.US_ASCII);
        if (b.length > 63) return -1;
        Mem.copyFromArray(b, 0, idBuf, b.length);
        Mem.putByte(idBuf + b.length, (byte) 0);
        try { return (int) nodeFlags.invokeExact(ctx, idBuf); } catch (Throwable t) { throw unchecked(t); }
    }

    static long timeoutMs() {
        try { return (long) timeoutMs.invokeExact(); } catch (Throwable t) { throw unchecked(t); }
    }
}
