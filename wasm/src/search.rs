//! 1:N nearest-neighbour search over enrolled face descriptors (member identification).
//!
//! Descriptors are L2-normalised, so similarity is the inner product (cosine). Two kernels
//! return the top `k` rows by score, best first, ties broken by the lower row index:
//!
//! - [`hmp_search_i8`] scans int8-quantised rows (one f32 scale per row, see
//!   `src/runtime/search-kernels.ts`): 4x less memory than f32 and 16 multiply-adds per
//!   `i32x4.dot_i16x8_s` pair, which is what makes 1M descriptors searchable in tens of ms.
//!   The integer dot product is exact, so the TypeScript reference reproduces its scores
//!   bit for bit (`score = f32(dot) * row_scale * query_scale`, evaluated in that order).
//! - [`hmp_search_f32`] scans f32 rows with f32x4 lanes (4 accumulators summed pairwise).
//!
//! Row counts and dimensions are validated here too (`ERR_ARGS`), but the host checks them
//! first so that a bad call never reaches the kernel.

use crate::ERR_ARGS;
use core::arch::wasm32::*;

/// Largest `k` a caller may ask for; insertion into the sorted top-k list is O(k).
const MAX_K: u32 = 1024;

/// Inserts (`idx`, `score`) into the descending top list of length `*len` (capacity `k`).
/// Strictly-greater comparison keeps the earlier row first among equal scores.
#[inline(always)]
unsafe fn push_top(out_idx: *mut u32, out_score: *mut f32, len: &mut u32, k: u32, idx: u32, score: f32) {
    let mut pos = *len;
    if pos == k {
        if !(score > *out_score.add((k - 1) as usize)) {
            return;
        }
        pos = k - 1;
    } else {
        *len += 1;
    }
    while pos > 0 && score > *out_score.add((pos - 1) as usize) {
        *out_score.add(pos as usize) = *out_score.add((pos - 1) as usize);
        *out_idx.add(pos as usize) = *out_idx.add((pos - 1) as usize);
        pos -= 1;
    }
    *out_score.add(pos as usize) = score;
    *out_idx.add(pos as usize) = idx;
}

/// Top-`k` inner products of the int8 `query` (dim bytes, scale `q_scale`) against `n` int8
/// rows of `db` (n·dim bytes, row-major) with per-row scales `scales` (n f32).
/// `dim` must be a positive multiple of 16 and at most 65536 (so the i32 sums cannot
/// overflow: 65536·127·127 < 2^31). Writes `min(k, n)` results to `out_idx` / `out_score`
/// and returns that count, or `ERR_ARGS`.
#[no_mangle]
pub unsafe extern "C" fn hmp_search_i8(
    db: *const i8,
    scales: *const f32,
    n: u32,
    dim: u32,
    query: *const i8,
    q_scale: f32,
    k: u32,
    out_idx: *mut u32,
    out_score: *mut f32,
) -> i32 {
    if dim == 0 || dim % 16 != 0 || dim > 65536 || k == 0 || k > MAX_K {
        return ERR_ARGS;
    }
    let blocks = (dim / 16) as usize;
    let mut len = 0u32;
    let mut row = db;
    for i in 0..n {
        let mut acc0 = i32x4_splat(0);
        let mut acc1 = i32x4_splat(0);
        let mut q = query;
        let mut r = row;
        for _ in 0..blocks {
            let rv = v128_load(r as *const v128);
            let qv = v128_load(q as *const v128);
            acc0 = i32x4_add(acc0, i32x4_dot_i16x8(i16x8_extend_low_i8x16(rv), i16x8_extend_low_i8x16(qv)));
            acc1 = i32x4_add(acc1, i32x4_dot_i16x8(i16x8_extend_high_i8x16(rv), i16x8_extend_high_i8x16(qv)));
            r = r.add(16);
            q = q.add(16);
        }
        let acc = i32x4_add(acc0, acc1);
        let dot = i32x4_extract_lane::<0>(acc)
            .wrapping_add(i32x4_extract_lane::<1>(acc))
            .wrapping_add(i32x4_extract_lane::<2>(acc))
            .wrapping_add(i32x4_extract_lane::<3>(acc));
        let score = dot as f32 * *scales.add(i as usize) * q_scale;
        push_top(out_idx, out_score, &mut len, k, i, score);
        row = row.add(dim as usize);
    }
    len as i32
}

/// Top-`k` inner products of the f32 `query` (dim floats) against `n` f32 rows of `db`
/// (n·dim floats, row-major). `dim` must be a positive multiple of 4. Quad `j` (dimensions
/// `4j..4j+3`) is multiplied lane-wise and added into accumulator `j % 4`; the result is
/// `((a0 + a1) + (a2 + a3))` lane-wise, then `(l0 + l1) + (l2 + l3)`, the order the
/// TypeScript reference follows. Writes `min(k, n)` results and returns that count, or `ERR_ARGS`.
#[no_mangle]
pub unsafe extern "C" fn hmp_search_f32(
    db: *const f32,
    n: u32,
    dim: u32,
    query: *const f32,
    k: u32,
    out_idx: *mut u32,
    out_score: *mut f32,
) -> i32 {
    if dim == 0 || dim % 4 != 0 || k == 0 || k > MAX_K {
        return ERR_ARGS;
    }
    let quads = (dim / 4) as usize;
    let mut len = 0u32;
    let mut row = db;
    for i in 0..n {
        let (mut a0, mut a1, mut a2, mut a3) = (f32x4_splat(0.0), f32x4_splat(0.0), f32x4_splat(0.0), f32x4_splat(0.0));
        let ld = |p: *const f32, j: usize| v128_load(p.add(4 * j) as *const v128);
        let mut j = 0usize;
        while j + 4 <= quads {
            a0 = f32x4_add(a0, f32x4_mul(ld(row, j), ld(query, j)));
            a1 = f32x4_add(a1, f32x4_mul(ld(row, j + 1), ld(query, j + 1)));
            a2 = f32x4_add(a2, f32x4_mul(ld(row, j + 2), ld(query, j + 2)));
            a3 = f32x4_add(a3, f32x4_mul(ld(row, j + 3), ld(query, j + 3)));
            j += 4;
        }
        // Tail quads keep the j % 4 accumulator assignment.
        if j < quads {
            a0 = f32x4_add(a0, f32x4_mul(ld(row, j), ld(query, j)));
        }
        if j + 1 < quads {
            a1 = f32x4_add(a1, f32x4_mul(ld(row, j + 1), ld(query, j + 1)));
        }
        if j + 2 < quads {
            a2 = f32x4_add(a2, f32x4_mul(ld(row, j + 2), ld(query, j + 2)));
        }
        let acc = [a0, a1, a2, a3];
        let s = f32x4_add(f32x4_add(acc[0], acc[1]), f32x4_add(acc[2], acc[3]));
        let score = (f32x4_extract_lane::<0>(s) + f32x4_extract_lane::<1>(s)) + (f32x4_extract_lane::<2>(s) + f32x4_extract_lane::<3>(s));
        push_top(out_idx, out_score, &mut len, k, i, score);
        row = row.add(dim as usize);
    }
    len as i32
}
