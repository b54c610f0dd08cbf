package vts.bridge;

import vts.mem.Mem;

/** The module-wide ts-* defaults, read in place from native/config.h's ts_config. */
public final class Config {
    private Config() {}

    static long address;

    public static long retention() { return Mem.getLong(address); }
    public static int chunkSize() { return (int) Mem.getLong(address + 8); }
    public static long ignoreMaxTimeDiff() { return Mem.getLong(address + 16); }
    public static double ignoreMaxValDiff() { return Mem.getDouble(address + 24); }
    public static int duplicatePolicy() { return Mem.getInt(address + 32); }
    public static int encoding() { return Mem.getInt(address + 36); }
    /** ts-num-threads: threads a long aggregation may use, the main thread included (1 outside a server). */
    public static int numThreads() { return address == 0 ? 1 : (int) Mem.getLong(address + 48); }

    /** Asks the shim for one {@link Bridge.KeyspaceListener#tick} call before the server next sleeps. */
    public static void requestTick() { Mem.putInt(address + 56, 1); }

    /** TS.READ clients blocked now (the shim counts them): writers signal their keys only while > 0. */
    public static int blockedReaders() { return address == 0 ? 0 : Mem.getInt(address + 60); }

    /** The ts-compaction-policy text, "" when unset. */
    public static String compactionPolicy() {
        long p = Mem.getLong(address + 40);
        if (p == 0) return "";
        int n = 0;
        while (Mem.getByte(p + n) != 0) n++;
        byte[] b = new byte[n];
        Mem.copyToArray(p, b, 0, n);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
}
