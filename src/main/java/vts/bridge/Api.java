package vts.bridge;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls into the Valkey module API. Addresses are fetched by name through the
 * server's GetApi function, whose address the shim hands over at load
 * ({@link Source}). Pointers travel as longs so that no MemorySegment is created per call.
 */
public final class Api {
    private Api() {}

    /** Set by {@link Bridge#init} before this class is first touched. */
    static final class Source {
        private Source() {}
        static long getApi, logFn, replicateFn, replyBatchFn;
        static long blockReadFn; // native/blocking.c vts_block_read
    }

    public static final int OK = 0;
    public static final int READ = 1, WRITE = 2;
    public static final int KEYTYPE_EMPTY = 0, KEYTYPE_MODULE = 6;
    public static final int CTX_FLAGS_RESP3 = 1 << 22;
    public static final int CTX_FLAGS_LOADING = 1 << 13;
    public static final int CTX_FLAGS_LUA = 1, CTX_FLAGS_MULTI = 1 << 1, CTX_FLAGS_DENY_BLOCKING = 1 << 21;
    public static final int NOTIFY_GENERIC = 1 << 2, NOTIFY_MODULE = 1 << 13;

    private static final Linker LINKER = Linker.nativeLinker();
    /*
     * Most downcalls are "critical" (no thread-state transition): they never call back
     * into Java. Those that can fire server events or keyspace notifications, which
     * reach our Java listeners (OpenKey may expire a key, DeleteKey deletes one,
     * NotifyKeyspaceEvent runs subscribers), must stay ordinary downcalls: an upcall
     * during a critical downcall is not allowed.
     */
    private static final Linker.Option CRITICAL = Linker.Option.critical(false);
    private static final MethodHandle GET_API = LINKER.downcallHandle(MemorySegment.ofAddress(Source.getApi),
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));

    /** Address of the module API function ValkeyModule_{name}. */
    static long address(String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            MemorySegment cname = a.allocateFrom("ValkeyModule_" + name);
            int rc = (int) GET_API.invokeExact(cname.address(), out.address());
            long p = out.get(JAVA_LONG, 0);
            if (rc != OK || p == 0) throw new IllegalStateException("module API function missing: " + name);
            return p;
        } catch (Throwable t) {
            throw Bridge.unchecked(t);
        }
    }

    private static MethodHandle fn(String name, boolean critical, MemoryLayout ret, MemoryLayout... args) {
        FunctionDescriptor d = ret == null ? FunctionDescriptor.ofVoid(args) : FunctionDescriptor.of(ret, args);
        MemorySegment addr = MemorySegment.ofAddress(address(name));
        return critical ? LINKER.downcallHandle(addr, d, CRITICAL) : LINKER.downcallHandle(addr, d);
    }

    private static MethodHandle raw(long address, MemoryLayout ret, MemoryLayout... args) {
        FunctionDescriptor d = ret == null ? FunctionDescriptor.ofVoid(args) : FunctionDescriptor.of(ret, args);
        return LINKER.downcallHandle(MemorySegment.ofAddress(address), d);
    }

    private static final MethodHandle REPLY_ERROR = fn("ReplyWithError", true, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle CTX_FLAGS = fn("GetContextFlags", true, JAVA_INT, JAVA_LONG);
    private static final MethodHandle MILLIS = fn("Milliseconds", true, JAVA_LONG);
    private static final MethodHandle SERVER_VERSION = fn("GetServerVersion", true, JAVA_INT);
    private static final MethodHandle SELECTED_DB = fn("GetSelectedDb", true, JAVA_INT, JAVA_LONG);
    private static final MethodHandle OPEN_KEY = fn("OpenKey", false, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle CLOSE_KEY = fn("CloseKey", true, null, JAVA_LONG);
    private static final MethodHandle KEY_TYPE = fn("KeyType", true, JAVA_INT, JAVA_LONG);
    private static final MethodHandle TYPE_OF = fn("ModuleTypeGetType", true, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle GET_VALUE = fn("ModuleTypeGetValue", true, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle SET_VALUE = fn("ModuleTypeSetValue", true, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle DELETE_KEY = fn("DeleteKey", false, JAVA_INT, JAVA_LONG);
    private static final MethodHandle CREATE_STRING = fn("CreateString", true, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle FREE_STRING = fn("FreeString", true, null, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle REPLICATE_VERBATIM = fn("ReplicateVerbatim", true, JAVA_INT, JAVA_LONG);
    private static final MethodHandle NOTIFY = fn("NotifyKeyspaceEvent", false, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle CURRENT_USER_NAME = fn("GetCurrentUserName", true, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle USER_FROM_NAME = fn("GetModuleUserFromUserName", true, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle ACL_CHECK_KEY = fn("ACLCheckKeyPermissions", true, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle FREE_MODULE_USER = fn("FreeModuleUser", true, JAVA_INT, JAVA_LONG);
    private static final MethodHandle USER_ACL_STRING = fn("GetModuleUserACLString", true, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle STRING_PTR_LEN = fn("StringPtrLen", true, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle LOG = raw(Source.logFn, null, JAVA_LONG, JAVA_LONG);
    /** Replays a batch of reply operations (native/reply.h); never calls back into Java. */
    private static final MethodHandle REPLY_BATCH = LINKER.downcallHandle(MemorySegment.ofAddress(Source.replyBatchFn),
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG), CRITICAL);
    private static final MethodHandle REPLICATE = raw(Source.replicateFn, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

    // ---- blocking reads (TS.READ BLOCK; native/blocking.c)
    private static final MethodHandle SIGNAL_READY = fn("SignalKeyAsReady", true, null, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle BLOCKED_PRIVDATA = fn("GetBlockedClientPrivateData", true, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle IS_BLOCKED_REPLY = fn("IsBlockedReplyRequest", true, JAVA_INT, JAVA_LONG);
    private static final MethodHandle IS_BLOCKED_TIMEOUT = fn("IsBlockedTimeoutRequest", true, JAVA_INT, JAVA_LONG);
    private static final MethodHandle BLOCK_READ = Source.blockReadFn == 0 ? null
            : raw(Source.blockReadFn, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

    /** Wakes the clients blocked on key (a ValkeyModuleString) once the command ends. */
    public static void signalKeyAsReady(long ctx, long key) {
        try { SIGNAL_READY.invokeExact(ctx, key); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    /** The private data of the blocked client whose reply or timeout callback runs in ctx. */
    public static long blockedPrivateData(long ctx) {
        try { return (long) BLOCKED_PRIVDATA.invokeExact(ctx); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    /** True in the reply callback of a client blocked on keys (a signalled key). */
    public static boolean isBlockedReplyRequest(long ctx) {
        try { return (int) IS_BLOCKED_REPLY.invokeExact(ctx) != 0; } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    /** True in the timeout callback of a blocked client (also CLIENT UNBLOCK). */
    public static boolean isBlockedTimeoutRequest(long ctx) {
        try { return (int) IS_BLOCKED_TIMEOUT.invokeExact(ctx) != 0; } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    /** Blocks the client of ctx on key (see native/blocking.h); false if the server refused. */
    public static boolean blockRead(long ctx, long key, long timeoutMs, long cursor, long minCount, long maxCount) {
        if (BLOCK_READ == null) return false;
        try {
            return (int) BLOCK_READ.invokeExact(ctx, key, timeoutMs, cursor, minCount, maxCount) == 0;
        } catch (Throwable t) {
            throw Bridge.unchecked(t);
        }
    }

    // ---- INFO (native/info.c calls Java with the info context)
    private static final MethodHandle INFO_SECTION = fn("InfoAddSection", true, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle INFO_DICT = fn("InfoBeginDictField", true, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle INFO_DICT_END = fn("InfoEndDictField", true, JAVA_INT, JAVA_LONG);
    private static final MethodHandle INFO_LONG = fn("InfoAddFieldLongLong", true, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);

    /** Starts the section name ("" = the module's own name) of an INFO reply. */
    public static void infoAddSection(long ictx, long nameCstr) {
        try { int r = (int) INFO_SECTION.invokeExact(ictx, nameCstr); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    /** Starts a field of name=value pairs ("db0:series=1,samples=2"). */
    public static void infoBeginDict(long ictx, long nameCstr) {
        try { int r = (int) INFO_DICT.invokeExact(ictx, nameCstr); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static void infoEndDict(long ictx) {
        try { int r = (int) INFO_DICT_END.invokeExact(ictx); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static void infoAddLong(long ictx, long fieldCstr, long value) {
        try { int r = (int) INFO_LONG.invokeExact(ictx, fieldCstr, value); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    /** Returns the number of operations replayed, or -1 at a malformed one. */
    public static int replyBatch(long ctx, long buf, long len) {
        try { return (int) REPLY_BATCH.invokeExact(ctx, buf, len); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static void replyError(long ctx, long cstr) {
        try { int r = (int) REPLY_ERROR.invokeExact(ctx, cstr); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static int contextFlags(long ctx) {
        try { return (int) CTX_FLAGS.invokeExact(ctx); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    /** The server's version as 0x00MMmmpp. */
    public static int serverVersion() {
        try { return (int) SERVER_VERSION.invokeExact(); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static long milliseconds() {
        try { return (long) MILLIS.invokeExact(); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static int selectedDb(long ctx) {
        try { return (int) SELECTED_DB.invokeExact(ctx); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static long openKey(long ctx, long keyName, int mode) {
        try { return (long) OPEN_KEY.invokeExact(ctx, keyName, mode); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static void closeKey(long key) {
        try { CLOSE_KEY.invokeExact(key); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static int keyType(long key) {
        try { return (int) KEY_TYPE.invokeExact(key); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static long moduleTypeOf(long key) {
        try { return (long) TYPE_OF.invokeExact(key); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static long getValue(long key) {
        try { return (long) GET_VALUE.invokeExact(key); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static int setValue(long key, long type, long value) {
        try { return (int) SET_VALUE.invokeExact(key, type, value); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static int deleteKey(long key) {
        try { return (int) DELETE_KEY.invokeExact(key); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static long createString(long ctx, long ptr, long len) {
        try { return (long) CREATE_STRING.invokeExact(ctx, ptr, len); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static void freeString(long ctx, long str) {
        try { FREE_STRING.invokeExact(ctx, str); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static void replicateVerbatim(long ctx) {
        try { int r = (int) REPLICATE_VERBATIM.invokeExact(ctx); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    /** Replicates cmd with the argv array (ValkeyModuleString pointers) instead of the client's argv. */
    public static void replicate(long ctx, long cmdCstr, long argv, long argc) {
        try { int r = (int) REPLICATE.invokeExact(ctx, cmdCstr, argv, argc); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static void notifyKeyspace(long ctx, int type, long eventCstr, long key) {
        try { int r = (int) NOTIFY.invokeExact(ctx, type, eventCstr, key); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    /** Key permission flags of {@link #aclCheckKeyPermissions} (VALKEYMODULE_CMD_KEY_*). */
    public static final int KEY_ACCESS = 1 << 4, KEY_UPDATE = 1 << 5, KEY_INSERT = 1 << 6, KEY_DELETE = 1 << 7;

    /** The user name of the client running the command (free with freeString), or 0 when there is none. */
    public static long currentUserName(long ctx) {
        try { return (long) CURRENT_USER_NAME.invokeExact(ctx); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    /** The ACL user of that name (free with freeModuleUser), or 0. */
    public static long moduleUserFromUserName(long name) {
        try { return (long) USER_FROM_NAME.invokeExact(name); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    /** True if user may access key with the given KEY_* flags. */
    public static boolean aclCheckKeyPermissions(long user, long key, int flags) {
        try { return (int) ACL_CHECK_KEY.invokeExact(user, key, flags) == OK; } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    /** Out-parameter of StringPtrLen (main thread only): an arena per call cost more than the call. */
    private static final long LEN_OUT = Arena.global().allocate(JAVA_LONG).address();

    /** The ACL rules of user as ACL GETUSER / ACL LIST print them ("~*", "%R~logs:*", ...). Main thread only. */
    public static String userAcl(long ctx, long user) {
        try {
            long str = (long) USER_ACL_STRING.invokeExact(user);
            if (str == 0) return "";
            try {
                return new String(stringBytes(str), java.nio.charset.StandardCharsets.UTF_8);
            } finally {
                freeString(ctx, str);
            }
        } catch (Throwable t) {
            throw Bridge.unchecked(t);
        }
    }

    /** A copy of the bytes of a server string. */
    public static byte[] stringBytes(long str) {
        try {
            long p = (long) STRING_PTR_LEN.invokeExact(str, LEN_OUT); // main thread only: LEN_OUT is shared
            byte[] b = new byte[(int) vts.mem.Mem.getLong(LEN_OUT)];
            vts.mem.Mem.copyToArray(p, b, 0, b.length);
            return b;
        } catch (Throwable t) {
            throw Bridge.unchecked(t);
        }
    }

    public static void freeModuleUser(long user) {
        try { int r = (int) FREE_MODULE_USER.invokeExact(user); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }

    public static void log(long levelCstr, long msgCstr) {
        try { LOG.invokeExact(levelCstr, msgCstr); } catch (Throwable t) { throw Bridge.unchecked(t); }
    }
}
