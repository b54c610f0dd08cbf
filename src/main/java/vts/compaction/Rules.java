package vts.compaction;

import vts.bridge.Bridge;

/** Entry points of the compaction package that the command layer calls once. */
public final class Rules {
    private Rules() {}

    private static boolean installed;

    /** Registers the keyspace listener that keeps both ends of every rule linked. */
    public static synchronized void install() {
        if (installed) return;
        installed = true;
        Bridge.addKeyspaceListener(Links.INSTANCE);
    }
}
