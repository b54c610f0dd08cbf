/*
 * INFO timeseries: the module's section of INFO (also in INFO modules and INFO everything).
 * Java writes the fields (vts.info.ModuleInfo) through the module API. For a crash report the
 * server may call this from a signal handler on any thread: then only what C knows is written,
 * never a call into the JVM.
 */
#include "info.h"

#include "config.h"

static info_from_java_fn g_from_java;

static void info_func(VMInfoCtx *ctx, int for_crash_report) {
    if (for_crash_report || !g_from_java) {
        VM_InfoAddSection(ctx, "");
        VM_InfoAddFieldLongLong(ctx, "blocked_read_clients", g_cfg.blocked_readers);
        return;
    }
    g_from_java(ctx);
}

int info_register(VMCtx *ctx, info_from_java_fn from_java) {
    g_from_java = from_java;
    return VM_RegisterInfoFunc(ctx, info_func) == VM_OK ? 0 : -1;
}
