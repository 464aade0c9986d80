//! Compile-time checks of the memory layouts shared with C.
//!
//! Every `#[repr(C)]` struct a C program reads or fills must have exactly the size,
//! alignment and field offsets that TDengine's `include/client/taos.h` gives it; a C
//! compiler derives them from the declarations, so the numbers below are what that header
//! implies on 64-bit targets (LP64 and LLP64 alike: none of these structs has a `long`).
//! A change to one of the Rust structs that moves a field fails the build here.
//! `examples/c/layout.c` asserts the same numbers with `_Static_assert` against our own
//! `include/taos.h`, so header and Rust agree with each other and with TDengine's.

use std::mem::{align_of, offset_of, size_of};

use crate::result::{TaosField, TaosFieldE};
use crate::stmt::{TaosMultiBind, TaosStmtOptions};
use crate::stmt2::{TaosFieldAll, TaosStmt2Bind, TaosStmt2Bindv, TaosStmt2Option};
use crate::tmq::{TmqRawData, TmqTopicAssignment};

/// `layout!(Type, size, align, field @ offset, ...)`: a `const` assertion of each.
macro_rules! layout {
    ($t:ty, $size:expr, $align:expr $(, $field:ident @ $off:expr)* $(,)?) => {
        const _: () = {
            assert!(size_of::<$t>() == $size, concat!("size of ", stringify!($t)));
            assert!(align_of::<$t>() == $align, concat!("alignment of ", stringify!($t)));
            $(
                assert!(
                    offset_of!($t, $field) == $off,
                    concat!("offset of ", stringify!($t), ".", stringify!($field))
                );
            )*
        };
    };
}

// `char name[65]; int8_t type; int32_t bytes;`: 3 bytes of padding before `bytes`.
#[cfg(target_pointer_width = "64")]
layout!(TaosField, 72, 4, name @ 0, type_ @ 65, bytes @ 68);

// `TAOS_FIELD_E`: `precision` and `scale` fill TAOS_FIELD's padding.
#[cfg(target_pointer_width = "64")]
layout!(TaosFieldE, 72, 4, name @ 0, type_ @ 65, precision @ 66, scale @ 67, bytes @ 68);

// `TAOS_FIELD_ALL` (TAOS_FIELD_STB in older headers): `TAOS_FIELD_E` + `uint8_t field_type`.
#[cfg(target_pointer_width = "64")]
layout!(
    TaosFieldAll, 76, 4,
    name @ 0, type_ @ 65, precision @ 66, scale @ 67, bytes @ 68, field_type @ 72,
);

// `int buffer_type; void *buffer; uintptr_t buffer_length; int32_t *length;
//  char *is_null; int num;`
#[cfg(target_pointer_width = "64")]
layout!(
    TaosMultiBind, 48, 8,
    buffer_type @ 0, buffer @ 8, buffer_length @ 16, length @ 24, is_null @ 32, num @ 40,
);

// `int64_t reqId; bool singleStbInsert; bool singleTableBindOnce;`
#[cfg(target_pointer_width = "64")]
layout!(TaosStmtOptions, 16, 8, req_id @ 0, single_stb_insert @ 8, single_table_bind_once @ 9);

// `int64_t reqid; bool singleStbInsert; bool singleTableBindOnce;
//  __taos_async_fn_t asyncExecFn; void *userdata;`
#[cfg(target_pointer_width = "64")]
layout!(
    TaosStmt2Option, 32, 8,
    reqid @ 0, single_stb_insert @ 8, single_table_bind_once @ 9, async_exec_fn @ 16,
    userdata @ 24,
);

// `int buffer_type; void *buffer; int32_t *length; char *is_null; int num;`
#[cfg(target_pointer_width = "64")]
layout!(
    TaosStmt2Bind, 40, 8,
    buffer_type @ 0, buffer @ 8, length @ 16, is_null @ 24, num @ 32,
);

// `int count; char **tbnames; TAOS_STMT2_BIND **tags; TAOS_STMT2_BIND **bind_cols;`
#[cfg(target_pointer_width = "64")]
layout!(TaosStmt2Bindv, 32, 8, count @ 0, tbnames @ 8, tags @ 16, bind_cols @ 24);

// `int32_t vgId; int64_t currentOffset; int64_t begin; int64_t end;`
#[cfg(target_pointer_width = "64")]
layout!(
    TmqTopicAssignment, 32, 8,
    vg_id @ 0, current_offset @ 8, begin @ 16, end @ 24,
);

// `void *raw; uint32_t raw_len; uint16_t raw_type;`
#[cfg(target_pointer_width = "64")]
layout!(TmqRawData, 16, 8, raw @ 0, raw_len @ 8, raw_type @ 12);

// A nullable C function pointer is one pointer wide (`Option<extern "C" fn>`).
const _: () = assert!(size_of::<crate::result::AsyncFn>() == size_of::<*const ()>());
