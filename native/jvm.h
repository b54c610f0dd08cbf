#ifndef JVM_H
#define JVM_H

#include <stddef.h>

int jvm_start(const char *libjvm, const char *classpath, const char *user_opts, char *err, size_t errlen);
void jvm_reinstall_signal_handlers(void);
long long jvm_call_init(const char *cls_name, const char *method, long long a0, long long a1, long long a2,
                        long long a3, long long a4, const char *text, char *err, size_t errlen);

#endif
