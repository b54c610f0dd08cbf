package vts.bridge;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import vts.command.TsException;
import vts.mem.Mem;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Entry points called by the shim. {@link #init} runs once at module load (through
 * JNI); afterwards every command arrives through the FFM upcall stub it returns.
 * Nothing thrown here may reach the stub: an exception escaping an upcall aborts
 * the process (DESIGN rule 10).
 */
public final class Bridge {
    private Bridge() {}

    /** A command implementation. It validates everything before changing anything. */
    @FunctionalInterface
    public interface Handler {
        void handle(long ctx, NativeArgs args);
    }

    private static Handler[] handlers = new Handler[0];
    private static String[] names = new String[0];
    static long moduleType;
    private static final NativeArgs ARGS = new NativeArgs();
    private static int depth;

    private static final Map<String, Handler> REGISTRY = new HashMap<>();

    /** Commands register here (by upper-case name) from {@link vts.command.Commands}. */
    public static void register(String name, Handler h) { REGISTRY.put(name, h); }

    /**
     * Called once by the shim. Returns the address of the dispatch upcall stub, or 0
     * after logging why the bridge could not start.
     */
    public static long init(long getApi, long type, long config, long shimFns, long shimCount, String commandNames) {
        try {
            if (shimCount < 3) throw new IllegalStateException("the shim offers " + shimCount + " functions, 3 expected");
            Api.Source.getApi = getApi;
            // the shim's table: log, replicate, reply batch (native/module.c g_shim_fns); read
            // before Mem is set up, through a segment of exactly its size
            MemorySegment fns = MemorySegment.ofAddress(shimFns).reinterpret(8 * shimCount);
            Api.Source.logFn = fns.getAtIndex(JAVA_LONG, 0);
            Api.Source.replicateFn = fns.getAtIndex(JAVA_LONG, 1);
            Api.Source.replyBatchFn = fns.getAtIndex(JAVA_LONG, 2);
            if (shimCount > 3) Api.Source.blockReadFn = fns.getAtIndex(JAVA_LONG, 3); // TS.READ BLOCK
            // write keys in batches (native/write.c): TS.ADD and TS.MADD need them
            if (shimCount < 6) throw new IllegalStateException("the shim offers " + shimCount + " functions, 6 expected");
            WriteKeys.Source.openFn = fns.getAtIndex(JAVA_LONG, 4);
            WriteKeys.Source.closeFn = fns.getAtIndex(JAVA_LONG, 5);
            // the key of a single-key read in one call (native/read.c): TS.GET
            if (shimCount < 7) throw new IllegalStateException("the shim offers " + shimCount + " functions, 7 expected");
            ReadKeys.Source.readFn = fns.getAtIndex(JAVA_LONG, 6);
            Mem.Source.allocFn = Api.address("Alloc");
            Mem.Source.callocFn = Api.address("Calloc");
            Mem.Source.reallocFn = Api.address("Realloc");
            Mem.Source.freeFn = Api.address("Free");
            Mem.Source.usableFn = Api.address("MallocUsableSize");
            if (!Mem.usingModuleAllocator()) throw new IllegalStateException("module allocator not in use");
            moduleType = type;
            Config.address = config;
            redirectStandardStreams();

            vts.command.Commands.registerAll();
            vts.info.ModuleInfo.install(); // INFO timeseries
            String[] list = commandNames.split(",", -1); // by id; "" where an id is unused
            handlers = new Handler[list.length];
            names = new String[list.length];
            for (int i = 0; i < list.length; i++) {
                names[i] = list[i].toUpperCase(java.util.Locale.ROOT);
                if (names[i].isEmpty()) continue;
                handlers[i] = REGISTRY.get(names[i]);
                if (handlers[i] == null) throw new IllegalStateException("no Java handler for " + list[i]);
            }
            var lookup = MethodHandles.lookup();
            var dispatch = lookup.findStatic(Bridge.class, "dispatch",
                    MethodType.methodType(int.class, int.class, long.class, long.class, long.class, long.class, int.class));
            var keyEvent = lookup.findStatic(Bridge.class, "keyEvent", MethodType.methodType(void.class, int.class,
                    long.class, int.class, long.class, long.class, long.class, int.class));
            Linker linker = Linker.nativeLinker();
            var clusterEvent = lookup.findStatic(Bridge.class, "clusterEvent", MethodType.methodType(void.class,
                    int.class, long.class, long.class, long.class, long.class, long.class));
            // the table the shim reads: [dispatch stub, key event stub, cluster event stub]
            var table = Arena.global().allocate(JAVA_LONG, 3);
            table.setAtIndex(JAVA_LONG, 0, linker.upcallStub(dispatch,
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT),
                    Arena.global()).address());
            table.setAtIndex(JAVA_LONG, 1, linker.upcallStub(keyEvent,
                    FunctionDescriptor.ofVoid(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT),
                    Arena.global()).address());
            table.setAtIndex(JAVA_LONG, 2, linker.upcallStub(clusterEvent,
                    FunctionDescriptor.ofVoid(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                    Arena.global()).address());
            return table.address();
        } catch (Throwable t) {
            try {
                log("warning", "timeseries: Java bridge failed to start: " + t);
            } catch (Throwable ignored) {
                // nothing else can report it; the shim logs the failure too
            }
            return 0;
        }
    }

    /** The id the shim dispatches command name (upper case) by, or -1 (for the JIT warm-up). */
    static int commandId(String name) {
        for (int i = 0; i < names.length; i++) if (names[i].equals(name)) return i;
        return -1;
    }

    private static final long OOM_MESSAGE = Reply.cstring("ERR TSDB: out of Java heap memory; command not executed");
    private static final long INTERNAL_MESSAGE = Reply.cstring("ERR TSDB: internal error");

    /** The upcall target: one call per command. Always returns 0 (VALKEYMODULE_OK). */
    static int dispatch(int cmd, long ctx, long argv, long ptrs, long lens, int argc) {
        int outer = 0;
        try {
            outer = Reply.begin();
            NativeArgs a = depth == 0 ? ARGS : new NativeArgs(); // a module may call us re-entrantly
            a.reset(argv, ptrs, lens, argc);
            depth++;
            try {
                handlers[cmd].handle(ctx, a);
            } finally {
                depth--;
            }
            Reply.finish();
        } catch (Throwable t) {
            failed(ctx, cmd >= 0 && cmd < names.length ? names[cmd] : "?", t);
        } finally {
            Reply.end(outer);
        }
        return 0;
    }

    /**
     * Runs body, which writes a reply to ctx, the way a command runs: an exception becomes
     * the error reply in place of what body buffered. For replies written outside a
     * command (a blocked client's reply callback).
     */
    public static void guarded(long ctx, String what, Runnable body) {
        int outer = 0;
        try {
            outer = Reply.begin();
            body.run();
            Reply.finish();
        } catch (Throwable t) {
            failed(ctx, what, t);
        } finally {
            Reply.end(outer);
        }
    }

    /** The error reply for t, thrown by command what. */
    private static void failed(long ctx, String what, Throwable t) {
        if (t instanceof TsException e) {
            replyErrorSafely(ctx, e.getMessage());
        } else if (t instanceof OutOfMemoryError) {
            emergencyError(ctx, OOM_MESSAGE);
        } else {
            try {
                log("warning", "timeseries: " + what + " failed: " + t);
                replyErrorSafely(ctx, "ERR TSDB: internal error: " + t);
            } catch (Throwable t2) {
                emergencyError(ctx, INTERNAL_MESSAGE);
            }
        }
    }

    /** Upcall target for the cluster fan-out (native/cluster.h CEV_*). */
    static void clusterEvent(int kind, long ctx, long a, long b, long ptr, long len) {
        try {
            vts.cluster.Cluster.event(kind, ctx, a, b, ptr, len);
        } catch (Throwable t) {
            try {
                log("warning", "timeseries: cluster event " + kind + " failed: " + t);
            } catch (Throwable ignored) {
                // nothing left to report with
            }
        }
    }

    /**
     * Hears about series entering and leaving the keyspace outside our commands
     * (main thread; may arrive while a command runs, e.g. when opening a key expires it).
     * ctx is the server's context of the event, valid only during the call.
     */
    public interface KeyspaceListener {
        int LOADED = 1, RESTORED = 2, COPIED = 3, RENAMED = 4, MOVED = 5;
        int DELETED = 11, EXPIRED = 12, EVICTED = 13, OVERWRITTEN = 14;

        /** A series now lives at (db, key); cause is LOADED .. MOVED. */
        void added(long ctx, int db, byte[] key, long series, int cause);

        /**
         * A series left (db, key); cause is DELETED .. OVERWRITTEN. A RENAME or MOVE
         * reports its source as DELETED, then the target as added with RENAMED/MOVED
         * (the same series address). The series may be freed right after this call.
         */
        void removed(long ctx, int db, byte[] key, long series, int cause);

        /**
         * The series at (db, key) got (has) or lost a time to live; also sent right after
         * {@link #added} for a series that arrives with one.
         */
        default void ttl(long ctx, int db, byte[] key, long series, boolean has) {}

        /** db was emptied; -1 means every database. */
        void flushed(long ctx, int db);

        void swapped(long ctx, int db1, int db2);

        /** Before the server sleeps, after {@link Config#requestTick()}. */
        default void tick(long ctx) {}
    }

    private static final java.util.List<KeyspaceListener> LISTENERS = new java.util.concurrent.CopyOnWriteArrayList<>();

    public static void addKeyspaceListener(KeyspaceListener l) { LISTENERS.add(l); }

    private static final int KEV_ADDED = 1, KEV_REMOVED = 2, KEV_FLUSHED = 3, KEV_SWAPPED = 4, KEV_TICK = 5, KEV_TTL = 6;
    /** INFO asks for the module's section; ctx is the info context (native/info.c). */
    private static final int KEV_INFO = 100;
    private static volatile java.util.function.LongConsumer infoWriter;

    /** Sets who writes the INFO section (vts.info.ModuleInfo). */
    public static void setInfoWriter(java.util.function.LongConsumer w) { infoWriter = w; }

    /** Upcall target for keyspace changes. */
    static void keyEvent(int kind, long ctx, int db, long keyPtr, long keyLen, long series, int arg) {
        try {
            if (kind == KEV_INFO) {
                var w = infoWriter;
                if (w != null) w.accept(ctx);
                return;
            }
            byte[] key = null;
            if (keyPtr != 0) {
                key = new byte[(int) keyLen];
                Mem.copyToArray(keyPtr, key, 0, key.length);
            }
            for (KeyspaceListener l : LISTENERS) {
                switch (kind) {
                    case KEV_ADDED -> l.added(ctx, db, key, series, arg);
                    case KEV_REMOVED -> l.removed(ctx, db, key, series, arg);
                    case KEV_FLUSHED -> l.flushed(ctx, db);
                    case KEV_SWAPPED -> l.swapped(ctx, db, arg);
                    case KEV_TICK -> l.tick(ctx);
                    case KEV_TTL -> l.ttl(ctx, db, key, series, arg != 0);
                    default -> { }
                }
            }
        } catch (Throwable t) {
            try {
                log("warning", "timeseries: keyspace event " + kind + " failed: " + t);
            } catch (Throwable ignored) {
                // nothing left to report with
            }
        }
    }

    /** Replies msg in place of whatever the failed command had buffered (see {@link Reply#discard}). */
    private static void replyErrorSafely(long ctx, String msg) {
        try {
            Reply.discard();
            Reply.error(ctx, msg);
            Reply.finish();
        } catch (Throwable t) { // nothing may escape the upcall
            emergencyError(ctx, t instanceof OutOfMemoryError ? OOM_MESSAGE : INTERNAL_MESSAGE);
        }
    }

    /** A constant error straight through the module API, when even that may fail. */
    private static void emergencyError(long ctx, long message) {
        try {
            Reply.discard();
        } catch (Throwable ignored) {
            // what was buffered is lost either way
        }
        try {
            Api.replyError(ctx, message);
        } catch (Throwable ignored) {
            // the reply could not be written; the client sees no reply for this command
        }
    }

    private static final long WARNING = Reply.cstring("warning");
    private static final long NOTICE = Reply.cstring("notice");

    public static void log(String level, String msg) {
        Api.log("warning".equals(level) ? WARNING : NOTICE, Reply.scratch(msg));
    }

    /** System.out and System.err go to the server log, never to the terminal (DESIGN rule 11). */
    private static void redirectStandardStreams() {
        System.setOut(new PrintStream(new LogStream("notice"), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new LogStream("warning"), true, StandardCharsets.UTF_8));
    }

    private static final class LogStream extends OutputStream {
        private final String level;
        private final StringBuilder line = new StringBuilder();

        LogStream(String level) { this.level = level; }

        @Override public synchronized void write(int b) {
            if (b == '\n') {
                log(level, "java: " + line);
                line.setLength(0);
            } else if (line.length() < 4096) {
                line.append((char) (b & 0xff));
            }
        }
    }

    static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
