package vts.bridge;

import vts.command.Args;
import vts.mem.Mem;

/** Args over the server's argument buffers: the pointer and length arrays the shim filled. */
public final class NativeArgs implements Args {
    private long argv, ptrs, lens;
    private int argc;

    void reset(long argv, long ptrs, long lens, int argc) {
        this.argv = argv;
        this.ptrs = ptrs;
        this.lens = lens;
        this.argc = argc;
    }

    @Override public int count() { return argc; }

    @Override public int length(int i) {
        check(i);
        return (int) Mem.getLong(lens + 8L * i);
    }

    @Override public byte byteAt(int i, int j) {
        if (j < 0 || j >= length(i)) throw new IndexOutOfBoundsException(j);
        return Mem.getByte(Mem.getLong(ptrs + 8L * i) + j);
    }

    @Override public byte[] bytes(int i) {
        byte[] b = new byte[length(i)];
        Mem.copyToArray(Mem.getLong(ptrs + 8L * i), b, 0, b.length);
        return b;
    }

    /** Address of argument i's bytes. */
    public long address(int i) {
        check(i);
        return Mem.getLong(ptrs + 8L * i);
    }

    /** The server's string object for argument i (for OpenKey, notifications, replication). */
    public long vmString(int i) {
        check(i);
        return Mem.getLong(argv + 8L * i);
    }

    /** The argv array itself. */
    public long argv() { return argv; }

    private void check(int i) {
        if (i < 0 || i >= argc) throw new IndexOutOfBoundsException(i);
    }
}
