package vts.command;

/**
 * The argv of one command; argument 0 is the command name. Implementations read
 * the server's argument buffers directly (bridge) or hold byte arrays (tests).
 */
public interface Args {
    int count();

    /** Length in bytes of argument i. */
    int length(int i);

    /** Byte j of argument i. */
    byte byteAt(int i, int j);

    /** A copy of argument i. */
    byte[] bytes(int i);

    /** Argument i decoded as UTF-8 (for messages and labels). */
    default String string(int i) {
        return new String(bytes(i), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** True if argument i equals the ASCII keyword, ignoring case. */
    default boolean is(int i, String keyword) {
        int n = length(i);
        if (n != keyword.length()) return false;
        for (int j = 0; j < n; j++) {
            int c = byteAt(i, j);
            if (c >= 'a' && c <= 'z') c -= 32;
            int k = keyword.charAt(j);
            if (k >= 'a' && k <= 'z') k -= 32;
            if (c != k) return false;
        }
        return true;
    }

    /** Test and tool helper: argv from strings. */
    static Args of(String... argv) {
        byte[][] b = new byte[argv.length][];
        for (int i = 0; i < argv.length; i++) b[i] = argv[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return ofBytes(b);
    }

    static Args ofBytes(byte[][] argv) {
        return new Args() {
            public int count() { return argv.length; }
            public int length(int i) { return argv[i].length; }
            public byte byteAt(int i, int j) { return argv[i][j]; }
            public byte[] bytes(int i) { return argv[i].clone(); }
        };
    }
}
