package vts.compaction;

import vts.bridge.Api;
import vts.bridge.Keys;
import vts.mem.Mem;

/**
 * Another key opened by name during a command or a keyspace event: the server string
 * made from the name, the open key, and the series in it (0 when the key is missing or
 * holds another type). {@link #close} releases both; a KeyRef is reused (one per nesting level).
 */
final class KeyRef {
    long ctx, str, key, series;

    /** Opens the key whose name is the native bytes (p, n). */
    KeyRef open(long ctx, long p, int n, int mode) {
        this.ctx = ctx;
        str = Api.createString(ctx, p, n);
        return openStr(mode);
    }

    /** Opens the key named by name. */
    KeyRef open(long ctx, byte[] name, int mode) {
        this.ctx = ctx;
        long tmp = Mem.alloc(Math.max(1, name.length));
        try {
            Mem.copyFromArray(name, 0, tmp, name.length);
            str = Api.createString(ctx, tmp, name.length);
        } finally {
            Mem.free(tmp);
        }
        return openStr(mode);
    }

    private KeyRef openStr(int mode) {
        key = Api.openKey(ctx, str, mode);
        series = key != 0 && Keys.isSeries(key) ? Api.getValue(key) : 0;
        return this;
    }

    boolean empty() {
        return key == 0 || Api.keyType(key) == Api.KEYTYPE_EMPTY;
    }

    void close() {
        if (key != 0) Api.closeKey(key);
        if (str != 0) Api.freeString(ctx, str);
        key = str = series = 0;
    }
}
