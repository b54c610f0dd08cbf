package vts.command;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import vts.bridge.Api;

/**
 * What the TS.* commands tell other parts (the label index, compaction rules) about
 * series they create or relabel. Keyspace changes made by other commands arrive
 * through {@link vts.bridge.Bridge.KeyspaceListener} instead.
 */
public final class SeriesEvents {
    private SeriesEvents() {}

    public interface Listener {
        /** A TS.* command created the series at (db, key). */
        void created(int db, byte[] key, long series);

        /** TS.ALTER replaced the labels of the series at (db, key). */
        void relabeled(int db, byte[] key, long series);
    }

    private static final List<Listener> LISTENERS = new CopyOnWriteArrayList<>();

    public static void addListener(Listener l) { LISTENERS.add(l); }

    static void created(long ctx, byte[] key, long series) {
        if (LISTENERS.isEmpty()) return;
        int db = Api.selectedDb(ctx);
        for (Listener l : LISTENERS) l.created(db, key, series);
    }

    static void relabeled(long ctx, byte[] key, long series) {
        if (LISTENERS.isEmpty()) return;
        int db = Api.selectedDb(ctx);
        for (Listener l : LISTENERS) l.relabeled(db, key, series);
    }
}
