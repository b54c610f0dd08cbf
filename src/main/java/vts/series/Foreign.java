package vts.series;

import vts.bridge.Bridge;
import vts.mem.Mem;

/**
 * Finishes the conversion of series loaded from RedisTimeSeries' own encodings
 * (native/rts_load.c): the C loader hands their samples over in uncompressed chunks and
 * flags a compressed series; when the key event of the loaded or restored key arrives
 * here (main thread, right after that key was read, before any command can see it), its
 * chunks are re-encoded by the one compressed encoder every write uses. So at most one
 * converted series is held uncompressed at a time during a load.
 */
public final class Foreign implements Bridge.KeyspaceListener {
    private static boolean installed;

    private Foreign() {}

    /** Registers the listener (once), ahead of the ones that read the series. */
    public static synchronized void install() {
        if (installed) return;
        installed = true;
        Bridge.addKeyspaceListener(new Foreign());
    }

    static boolean pending(long s) {
        return (Mem.getInt(s + Layout.S_FLAGS) & Layout.FLAG_FOREIGN_CHUNKS) != 0;
    }

    @Override public void added(long ctx, int db, byte[] key, long series, int cause) {
        if (pending(series)) Series.reencodeForeign(series);
    }

    @Override public void removed(long ctx, int db, byte[] key, long series, int cause) {}

    @Override public void flushed(long ctx, int db) {}

    @Override public void swapped(long ctx, int db1, int db2) {}
}
