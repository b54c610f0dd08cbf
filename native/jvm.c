/*
 * Creates the one JVM of the process and keeps its signal handlers in place.
 * Each step here answers a rule of DESIGN.md (numbers in the comments).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jni.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "jvm.h"
#include "vm_api.h"

static JavaVM *g_vm;
static JNIEnv *g_env;

static const int kJvmSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
#define NSIG_SAVED (sizeof(kJvmSignals) / sizeof(kJvmSignals[0]))
static struct sigaction g_jvm_actions[NSIG_SAVED];
static int g_actions_saved;

/*
 * JVM console output goes to the server log, never to stdout (rule 11). HotSpot writes a
 * unified-logging line (-Xlog:...) in pieces ("[0.004s]", "[info]", "[gc]", " ", message,
 * "\n"), from whichever JVM thread logs: each thread collects its pieces and one line becomes
 * one server log line, at the level its [level] decoration names.
 */
#define JVM_LINE_MAX 2048
static __thread char t_line[JVM_LINE_MAX];
static __thread size_t t_len;

static int is_word(const char *s, size_t n, const char *w) { return strlen(w) == n && strncmp(s, w, n) == 0; }

/* the server log level of a decoration ("warning", "info", ...), or NULL if it names none */
static const char *level_of(const char *s, size_t n) {
    if (is_word(s, n, "error") || is_word(s, n, "warning")) return VM_LOG_WARNING;
    if (is_word(s, n, "info")) return VM_LOG_NOTICE;
    if (is_word(s, n, "debug") || is_word(s, n, "trace")) return "verbose";
    return NULL;
}

/* "12.345s", "123ms", "2026-12-05T14:00:00.000+0000", "12345ns": time decorations the server's own line has */
static int is_time(const char *s, size_t n) {
    if (n == 0 || s[0] < '0' || s[0] > '9') return 0;
    char last = s[n - 1];
    return last == 's' || (n > 10 && s[4] == '-' && s[10] == 'T');
}

/* Logs one complete line: leading [decorations] give the level; time ones are dropped, tags kept. */
static void log_jvm_line(char *line, size_t len) {
    const char *level = VM_LOG_NOTICE;
    char tags[256] = "";
    size_t p = 0, tl = 0;
    while (p < len && line[p] == '[') {
        char *end = memchr(line + p, ']', len - p);
        if (!end) break;
        char *w = line + p + 1;
        size_t n = (size_t)(end - w);
        while (n > 0 && w[n - 1] == ' ') n--; /* "[gc     ]" */
        const char *lv = level_of(w, n);
        if (lv) level = lv;
        else if (!is_time(w, n) && tl + n + 3 < sizeof(tags)) tl += (size_t)snprintf(tags + tl, sizeof(tags) - tl, "[%.*s]", (int)n, w);
        p = (size_t)(end - line) + 1;
    }
    while (p < len && line[p] == ' ') p++;
    if (p >= len && tl == 0) return;
    VM_Log(NULL, level, "jvm: %s%s%.*s", tags, tl ? " " : "", (int)(len - p), line + p);
}

static jint JNICALL jvm_vfprintf(FILE *fp, const char *fmt, va_list args) {
    (void)fp;
    char buf[JVM_LINE_MAX];
    int n = vsnprintf(buf, sizeof(buf), fmt, args);
    size_t len = n < 0 ? 0 : ((size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (c == '\n' || t_len == JVM_LINE_MAX - 1) {
            log_jvm_line(t_line, t_len);
            t_len = 0;
            if (c == '\n') continue;
        }
        if (c != '\r') t_line[t_len++] = c;
    }
    return n;
}

static size_t stack_size_for_jvm(void) {
    const size_t min = 8u << 20;
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > min)
        return (size_t)rl.rlim_cur;
    return min;
}

void jvm_reinstall_signal_handlers(void) {
    if (!g_actions_saved) return;
    for (size_t i = 0; i < NSIG_SAVED; i++) sigaction(kJvmSignals[i], &g_jvm_actions[i], NULL);
}

static char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* The maximum heap the options ask for (the last -Xmx wins), else our default of 256 MB. */
static unsigned long long heap_size(const char *user_opts) {
    unsigned long long size = 256ull << 20;
    for (const char *p = user_opts; p && (p = strstr(p, "-Xmx")) != NULL; p += 4) {
        char *end;
        unsigned long long v = strtoull(p + 4, &end, 10);
        switch (*end) {
        case 'k': case 'K': v <<= 10; break;
        case 'm': case 'M': v <<= 20; break;
        case 'g': case 'G': v <<= 30; break;
        case 't': case 'T': v <<= 40; break;
        default: break;
        }
        size = v;
    }
    return size;
}

typedef jint (*CreateVmFn)(JavaVM **, void **, void *);
typedef jint (*GetVmsFn)(JavaVM **, jsize, jsize *);

JNIEnv *jvm_env(void) { return g_env; }

int jvm_start(const char *libjvm, const char *classpath, const char *user_opts, char *err, size_t errlen) {
    void *lib = dlopen(libjvm, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(err, errlen, "cannot load the JVM library %s: %s", libjvm, dlerror());
        return -1;
    }
    GetVmsFn get_vms = (GetVmsFn)dlsym(lib, "JNI_GetCreatedJavaVMs");
    CreateVmFn create_vm = (CreateVmFn)dlsym(lib, "JNI_CreateJavaVM");
    if (!get_vms || !create_vm) {
        snprintf(err, errlen, "%s does not export the JNI invocation API", libjvm);
        return -1;
    }
    /* rule 9: one JVM per process, never created twice */
    JavaVM *vms[1];
    jsize nvms = 0;
    if (get_vms(vms, 1, &nvms) == JNI_OK && nvms > 0) {
        g_vm = vms[0];
        if ((*g_vm)->AttachCurrentThread(g_vm, (void **)&g_env, NULL) != JNI_OK) {
            snprintf(err, errlen, "cannot attach to the existing JVM");
            return -1;
        }
        return 0;
    }

    /* rule 8: free SIGUSR2 for the server's crash report */
    setenv("_JAVA_SR_SIGNUM", "40", 0);

    char opt_cp[8192], opt_ss[64];
    snprintf(opt_cp, sizeof(opt_cp), "-Djava.class.path=%s", classpath);
    snprintf(opt_ss, sizeof(opt_ss), "-Xss%zuk", stack_size_for_jvm() / 1024); /* rule 5 */

    JavaVMOption opts[64];
    int n = 0;
    opts[n++].optionString = "-Xrs"; /* rule 4: SIGTERM/SIGINT stay with the server */
    opts[n++].optionString = opt_ss;
    opts[n++].optionString = opt_cp;
    opts[n++].optionString = "--enable-native-access=ALL-UNNAMED";
    opts[n++].optionString = "-Xlog:disable";
    opts[n++].optionString = "-Xlog:all=warning:file=timeseries-jvm.log"; /* rule 11 */
    opts[n++].optionString = "-XX:ErrorFile=timeseries-jvm-crash-%p.log";
    /* our collector unless the user picks one: HotSpot refuses two */
    int own_gc = !user_opts || !(strstr(user_opts, "-XX:+Use") && strstr(user_opts, "GC"));
    if (own_gc) opts[n++].optionString = "-XX:+UseSerialGC";
    /*
     * A small young generation: a young pause copies what survived since the last one, and
     * while series are created all of their index entries survive. With the default (a third
     * of the heap) creating a million series paused up to 86 ms at a time; with at most 32 MB, ~10 ms
     * (same total). Unless the user sizes it (or picks another collector, which sizes its own).
     */
    if (own_gc && heap_size(user_opts) > (96ull << 20) &&
        !(user_opts && (strstr(user_opts, "-Xmn") || strstr(user_opts, "NewSize") || strstr(user_opts, "NewRatio"))))
        opts[n++].optionString = "-XX:MaxNewSize=32m"; /* smaller heaps keep their third */
    opts[n++].optionString = "-Xmx256m";
    opts[n].optionString = "vfprintf";
    opts[n++].extraInfo = (void *)jvm_vfprintf;

    /* user options come last so that they override the defaults */
    char *copy = user_opts ? xstrdup(user_opts) : NULL;
    if (copy) {
        char *save = NULL;
        for (char *tok = strtok_r(copy, " \t", &save); tok && n < 63; tok = strtok_r(NULL, " \t", &save))
            opts[n++].optionString = tok;
    }

    JavaVMInitArgs args;
    memset(&args, 0, sizeof(args));
    args.version = JNI_VERSION_10;
    args.nOptions = n;
    args.options = opts;
    args.ignoreUnrecognized = JNI_FALSE;

    /* rule 6: JVM creation changes the process locale; the server's float parsing needs it back */
    char *locale = xstrdup(setlocale(LC_ALL, NULL));
    jint rc = create_vm(&g_vm, (void **)&g_env, &args);
    if (locale) {
        setlocale(LC_ALL, locale);
        free(locale);
    }
    free(copy);
    if (rc != JNI_OK) {
        snprintf(err, errlen, "JNI_CreateJavaVM failed with code %d (check JVM_OPTIONS)", (int)rc);
        return -1;
    }
    /* rule 7: remember the JVM's handlers so they can be put back after CONFIG SET */
    for (size_t i = 0; i < NSIG_SAVED; i++) sigaction(kJvmSignals[i], NULL, &g_jvm_actions[i]);
    g_actions_saved = 1;
    return 0;
}

/* Describes and clears a pending Java exception; returns 1 if there was one. */
int jvm_check_exception(char *err, size_t errlen) {
    JNIEnv *env = g_env;
    if (!(*env)->ExceptionCheck(env)) return 0;
    jthrowable t = (*env)->ExceptionOccurred(env);
    (*env)->ExceptionClear(env);
    snprintf(err, errlen, "Java exception");
    jclass cls = (*env)->FindClass(env, "java/lang/Object");
    if (cls && t) {
        jmethodID m = (*env)->GetMethodID(env, cls, "toString", "()Ljava/lang/String;");
        jstring s = m ? (jstring)(*env)->CallObjectMethod(env, t, m) : NULL;
        if ((*env)->ExceptionCheck(env)) (*env)->ExceptionClear(env);
        if (s) {
            const char *c = (*env)->GetStringUTFChars(env, s, NULL);
            if (c) {
                snprintf(err, errlen, "%s", c);
                (*env)->ReleaseStringUTFChars(env, s, c);
            }
        }
    }
    return 1;
}

long long jvm_call_init(const char *cls_name, const char *method, long long a0, long long a1, long long a2,
                        long long a3, long long a4, const char *text, char *err, size_t errlen) {
    JNIEnv *env = g_env;
    jclass cls = (*env)->FindClass(env, cls_name);
    if (!cls) {
        jvm_check_exception(err, errlen);
        return 0;
    }
    jmethodID m = (*env)->GetStaticMethodID(env, cls, method, "(JJJJJLjava/lang/String;)J");
    if (!m) {
        jvm_check_exception(err, errlen);
        return 0;
    }
    jstring s = (*env)->NewStringUTF(env, text);
    jlong r = (*env)->CallStaticLongMethod(env, cls, m, (jlong)a0, (jlong)a1, (jlong)a2, (jlong)a3, (jlong)a4, s);
    if (jvm_check_exception(err, errlen)) return 0;
    return r;
}
