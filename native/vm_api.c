#include "vm_api.h"

#define VM_DEFINE(ret, name, params) ret(*VM_##name) params = NULL;
VM_API_LIST(VM_DEFINE)
#undef VM_DEFINE

const char *vm_api_init(VMGetApiFunc getapi) {
#define VM_FETCH(ret, name, params) \
    if (getapi("ValkeyModule_" #name, (void *)&VM_##name) != VM_OK || VM_##name == NULL) { \
        if (getapi("RedisModule_" #name, (void *)&VM_##name) != VM_OK || VM_##name == NULL) return #name; \
    }
    VM_API_LIST(VM_FETCH)
#undef VM_FETCH
    return NULL;
}
