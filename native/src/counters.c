#include "counters.h"

const char *const ls_op_names[LS_OP_COUNT] = {
#define LS_OP_NAME(id, name) name,
    LS_OPS(LS_OP_NAME)
#undef LS_OP_NAME
};
