//! hmp's WASM kernels: raw C-ABI exports over linear memory, no bindgen.
//!
//! Conventions every module follows (new modules: add `mod x;` below and follow them):
//! - Buffers live in linear memory and are allocated by the host through [`hmp_alloc`] /
//!   [`hmp_free`]; a kernel takes plain pointers and sizes and never frees what it was given.
//! - Kernels read and write exactly the bytes their sizes describe (no SIMD over-reads or
//!   over-writes past a buffer), so a host may point them into the middle of a larger buffer.
//! - Kernels return `i32`: `OK` (0) or a negative status (`ERR_*`) — or, where documented, a
//!   non-negative count. They never panic on bad input; hot loops use raw pointers after one
//!   up-front validation, which is why the host validates sizes first (src/runtime/wasm.ts).
//! - Temporary memory inside a kernel goes through [`scratch`], which reports allocation
//!   failure as `ERR_ALLOC` instead of aborting the instance.

mod audio;
mod color;
mod enhance;
mod nms;
mod normalize;
mod resize;
mod scene;
mod search;
mod warp;

use std::alloc::{alloc, dealloc, Layout};

/// Success.
pub const OK: i32 = 0;
/// A size or enum argument is invalid (the host should have caught it first).
pub const ERR_ARGS: i32 = -1;
/// Linear memory could not grow for a temporary buffer.
pub const ERR_ALLOC: i32 = -2;

/// Alignment of every host allocation: one v128, so SIMD loads of whole blocks are aligned.
const ALIGN: usize = 16;

/// Bumped whenever an export's signature or semantics change; the host refuses a mismatch.
#[no_mangle]
pub extern "C" fn hmp_abi_version() -> u32 {
    1
}

/// Allocates `size` bytes aligned to 16 and returns the address, or 0 if memory cannot grow.
/// `size` 0 is treated as 1 so every successful call returns a distinct, freeable block.
#[no_mangle]
pub extern "C" fn hmp_alloc(size: usize) -> *mut u8 {
    match Layout::from_size_align(size.max(1), ALIGN) {
        // SAFETY: the layout has a non-zero size.
        Ok(layout) => unsafe { alloc(layout) },
        Err(_) => core::ptr::null_mut(),
    }
}

/// Frees a block from [`hmp_alloc`]; `size` must be the size it was allocated with.
#[no_mangle]
pub extern "C" fn hmp_free(ptr: *mut u8, size: usize) {
    if ptr.is_null() {
        return;
    }
    if let Ok(layout) = Layout::from_size_align(size.max(1), ALIGN) {
        // SAFETY: the host hands back a pointer/size pair it got from hmp_alloc.
        unsafe { dealloc(ptr, layout) }
    }
}

/// A zero-initialised temporary vector, or `ERR_ALLOC` if linear memory cannot grow.
/// Kernels use this rather than `vec![]` because an allocation failure there aborts, which
/// traps the whole instance.
pub(crate) fn scratch<T: Copy + Default>(len: usize) -> Result<Vec<T>, i32> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| ERR_ALLOC)?;
    v.resize(len, T::default());
    Ok(v)
}
