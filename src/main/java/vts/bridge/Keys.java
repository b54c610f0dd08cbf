package vts.bridge;

import vts.command.TsException;

/** Opening series keys through the module API; callers close what they open. */
public final class Keys {
    private Keys() {}

    public static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

    /** Opens argv[i]; mode is Api.READ or Api.READ|Api.WRITE. */
    public static long open(long ctx, NativeArgs a, int i, int mode) {
        return Api.openKey(ctx, a.vmString(i), mode);
    }

    /**
     * The series behind an open key, 0 if the key is empty; throws WRONGTYPE for
     * another type (the caller still closes the key).
     */
    public static long series(long key) {
        int t = Api.keyType(key);
        if (t == Api.KEYTYPE_EMPTY) return 0;
        if (t != Api.KEYTYPE_MODULE || Api.moduleTypeOf(key) != Bridge.moduleType) throw new TsException(WRONGTYPE);
        return Api.getValue(key);
    }

    /** True if the open key holds a series. */
    public static boolean isSeries(long key) {
        return Api.keyType(key) == Api.KEYTYPE_MODULE && Api.moduleTypeOf(key) == Bridge.moduleType;
    }

    /** The series behind an open key; a missing key is "the key does not exist". */
    public static long existing(long key) {
        long s = series(key);
        if (s == 0) throw TsException.tsdb("the key does not exist");
        return s;
    }

    /** Makes the (empty, write-opened) key hold the series. */
    public static void store(long key, long series) {
        if (Api.setValue(key, Bridge.moduleType, series) != Api.OK)
            throw new IllegalStateException("ModuleTypeSetValue failed");
    }

    public static long moduleType() { return Bridge.moduleType; }
}
