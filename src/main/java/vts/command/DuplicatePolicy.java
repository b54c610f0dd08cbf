package vts.command;

/** DUPLICATE_POLICY / ON_DUPLICATE, with the native codes (0 = not given). */
public enum DuplicatePolicy {
    NONE(0), BLOCK(1), FIRST(2), LAST(3), MIN(4), MAX(5), SUM(6);

    private static final DuplicatePolicy[] GIVEN = {BLOCK, FIRST, LAST, MIN, MAX, SUM};

    private final int code;

    DuplicatePolicy(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The policy named by argument i (any case), or null. */
    static DuplicatePolicy named(Args a, int i) {
        for (DuplicatePolicy p : GIVEN) {
            if (a.is(i, p.name())) return p;
        }
        return null;
    }
}
