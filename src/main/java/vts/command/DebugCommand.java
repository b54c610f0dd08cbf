package vts.command;

import vts.bridge.Bridge;
import vts.bridge.NativeArgs;
import vts.bridge.Reply;

/**
 * TS._DEBUG: diagnostics of the JVM inside the server, for tests and operators.
 * <ul>
 * <li>{@code TS._DEBUG NULLCHECK}: lets JIT-compiled code read a field through a null
 * reference. HotSpot compiles such reads without an explicit check and relies on its
 * SIGSEGV handler to turn the fault into a NullPointerException; if another handler
 * had replaced the JVM's, the server would die here. Replies the number of
 * NullPointerExceptions caught (1).</li>
 * <li>{@code TS._DEBUG FAILREPLY n}: opens an array of n + 1 elements, writes n integers
 * and then fails. A failure before any reply batch went to the server replies just the
 * error; after (a large n), the error arrives as the array's last element.</li>
 * </ul>
 */
final class DebugCommand {
    private DebugCommand() {}

    static void register() {
        Bridge.register("TS._DEBUG", DebugCommand::debug);
    }

    private static final class Box {
        long value;
    }

    private static long sink;

    static void debug(long ctx, NativeArgs a) {
        if (a.count() == 2 && a.is(1, "NULLCHECK")) {
            Reply.integer(ctx, nullCheck());
            return;
        }
        if (a.count() == 3 && a.is(1, "FAILREPLY")) {
            long n = Num.parseLong(a, 2);
            if (n < 0 || n > 1_000_000) throw new TsException("ERR TSDB: invalid element count");
            Reply.array(ctx, n + 1);
            for (long i = 0; i < n; i++) Reply.integer(ctx, i);
            throw new TsException("ERR TSDB: failed on purpose after " + n + " reply elements");
        }
        if (a.count() == 2 && a.is(1, "CLUSTERSTATS")) { // the fan-out counters of this node (vts.cluster)
            Reply.bulk(ctx, vts.cluster.ClusterStats.describe());
            return;
        }
        throw new TsException("ERR TSDB: unknown TS._DEBUG subcommand; try NULLCHECK, FAILREPLY or CLUSTERSTATS");
    }

    private static int nullCheck() {
        Box box = new Box();
        Box[] boxes = new Box[1000];
        java.util.Arrays.fill(boxes, box);
        // warm up until sum() is compiled with an implicit null check (nulls never seen)
        for (int i = 0; i < 2_000; i++) sink += sum(boxes);
        boxes[boxes.length - 1] = null;
        try {
            sink += sum(boxes);
            return 0;
        } catch (NullPointerException e) {
            return 1;
        }
    }

    private static long sum(Box[] boxes) {
        long s = 0;
        for (Box b : boxes) s += read(b);
        return s;
    }

    private static long read(Box b) {
        return b.value + 1;
    }
}
