package vts.index;

import java.nio.charset.StandardCharsets;

import vts.bridge.Bridge;
import vts.command.SeriesEvents;
import vts.series.Series;

/**
 * One {@link LabelIndex} per database, kept equal to the keyspace by the bridge's keyspace
 * events (load, restore, copy, rename, move, delete, expire, evict, overwrite, flush, swap)
 * and the commands' own events (create, relabel). The index is derived data: it is never
 * persisted, and a load rebuilds it from the series' labels as they arrive.
 */
public final class Indexes implements Bridge.KeyspaceListener, SeriesEvents.Listener {
    private static LabelIndex[] dbs = new LabelIndex[16];
    private static boolean installed;

    private Indexes() {}

    /** Registers the listeners (once). */
    public static synchronized void install() {
        if (installed) return;
        installed = true;
        Indexes l = new Indexes();
        Bridge.addKeyspaceListener(l);
        SeriesEvents.addListener(l);
    }

    /** The index of db (created empty on first use). */
    public static LabelIndex of(int db) {
        if (db >= dbs.length) dbs = java.util.Arrays.copyOf(dbs, Math.max(db + 1, dbs.length * 2));
        LabelIndex x = dbs[db];
        if (x == null) dbs[db] = x = new LabelIndex();
        return x;
    }

    /** Databases below this number may have an index ({@link #peek}). */
    public static int slots() { return dbs.length; }

    /** The index of db if it exists, else null (for statistics). */
    public static LabelIndex peek(int db) { return db < dbs.length ? dbs[db] : null; }

    /** The labels of series s as name0, value0, ... decoded as UTF-8. */
    public static String[] labelsOf(long s) {
        int n = Series.labelCount(s);
        String[] out = new String[2 * n];
        for (int i = 0; i < n; i++) {
            out[2 * i] = new String(Series.labelName(s, i), StandardCharsets.UTF_8);
            out[2 * i + 1] = new String(Series.labelValue(s, i), StandardCharsets.UTF_8);
        }
        return out;
    }

    static void put(int db, byte[] key, long series) {
        int id = of(db).put(key, labelsOf(series), series);
        Series.setIndexId(series, id);
    }

    // ------------------------------------------------------------------ keyspace events

    @Override public void added(long ctx, int db, byte[] key, long series, int cause) {
        put(db, key, series);
    }

    @Override public void removed(long ctx, int db, byte[] key, long series, int cause) {
        LabelIndex x = peek(db);
        if (x != null) x.remove(key);
    }

    @Override public void ttl(long ctx, int db, byte[] key, long series, boolean has) {
        of(db).setTtl(key, has);
    }

    @Override public void flushed(long ctx, int db) {
        if (db < 0) {
            java.util.Arrays.fill(dbs, null);
        } else if (db < dbs.length) {
            dbs[db] = null;
        }
    }

    @Override public void swapped(long ctx, int db1, int db2) {
        of(db1);
        of(db2);
        LabelIndex t = dbs[db1];
        dbs[db1] = dbs[db2];
        dbs[db2] = t;
    }

    // ------------------------------------------------------------------ command events

    @Override public void created(int db, byte[] key, long series) {
        put(db, key, series);
    }

    @Override public void relabeled(int db, byte[] key, long series) {
        put(db, key, series);
    }
}
