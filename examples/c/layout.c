/*
 * layout.c: compile-time checks that taosync-capi's include/taos.h gives the structs C
 * programs share with libtaos the sizes and field offsets of TDengine's own taos.h on
 * 64-bit targets. taosync-capi/src/layout.rs asserts the same numbers for the Rust side.
 * Built (not run) by examples/c/run.sh; a mismatch fails the build.
 */
#include <stddef.h>

#include "taos.h"

#define LAYOUT(type, size, align) \
  _Static_assert(sizeof(type) == (size), "size of " #type); \
  _Static_assert(_Alignof(type) == (align), "alignment of " #type)
#define AT(type, field, off) _Static_assert(offsetof(type, field) == (off), #type "." #field)

_Static_assert(sizeof(void *) == 8, "these checks are for 64-bit targets");

LAYOUT(TAOS_FIELD, 72, 4);
AT(TAOS_FIELD, name, 0);
AT(TAOS_FIELD, type, 65);
AT(TAOS_FIELD, bytes, 68);

LAYOUT(TAOS_FIELD_E, 72, 4);
AT(TAOS_FIELD_E, type, 65);
AT(TAOS_FIELD_E, precision, 66);
AT(TAOS_FIELD_E, scale, 67);
AT(TAOS_FIELD_E, bytes, 68);

LAYOUT(TAOS_FIELD_ALL, 76, 4);
AT(TAOS_FIELD_ALL, bytes, 68);
AT(TAOS_FIELD_ALL, field_type, 72);

LAYOUT(TAOS_MULTI_BIND, 48, 8);
AT(TAOS_MULTI_BIND, buffer_type, 0);
AT(TAOS_MULTI_BIND, buffer, 8);
AT(TAOS_MULTI_BIND, buffer_length, 16);
AT(TAOS_MULTI_BIND, length, 24);
AT(TAOS_MULTI_BIND, is_null, 32);
AT(TAOS_MULTI_BIND, num, 40);

LAYOUT(TAOS_STMT_OPTIONS, 16, 8);
AT(TAOS_STMT_OPTIONS, reqId, 0);
AT(TAOS_STMT_OPTIONS, singleStbInsert, 8);
AT(TAOS_STMT_OPTIONS, singleTableBindOnce, 9);

LAYOUT(TAOS_STMT2_OPTION, 32, 8);
AT(TAOS_STMT2_OPTION, reqid, 0);
AT(TAOS_STMT2_OPTION, singleStbInsert, 8);
AT(TAOS_STMT2_OPTION, singleTableBindOnce, 9);
AT(TAOS_STMT2_OPTION, asyncExecFn, 16);
AT(TAOS_STMT2_OPTION, userdata, 24);

LAYOUT(TAOS_STMT2_BIND, 40, 8);
AT(TAOS_STMT2_BIND, buffer_type, 0);
AT(TAOS_STMT2_BIND, buffer, 8);
AT(TAOS_STMT2_BIND, length, 16);
AT(TAOS_STMT2_BIND, is_null, 24);
AT(TAOS_STMT2_BIND, num, 32);

LAYOUT(TAOS_STMT2_BINDV, 32, 8);
AT(TAOS_STMT2_BINDV, count, 0);
AT(TAOS_STMT2_BINDV, tbnames, 8);
AT(TAOS_STMT2_BINDV, tags, 16);
AT(TAOS_STMT2_BINDV, bind_cols, 24);

LAYOUT(tmq_topic_assignment, 32, 8);
AT(tmq_topic_assignment, vgId, 0);
AT(tmq_topic_assignment, currentOffset, 8);
AT(tmq_topic_assignment, begin, 16);
AT(tmq_topic_assignment, end, 24);

LAYOUT(tmq_raw_data, 16, 8);
AT(tmq_raw_data, raw, 0);
AT(tmq_raw_data, raw_len, 8);
AT(tmq_raw_data, raw_type, 12);
