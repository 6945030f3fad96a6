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
    let d = dim as usize;
    let qs = f32x4_splat(q_scale);
    let mut len = 0u32;
    let mut i = 0u32;
    // Four rows per pass: each query block is loaded and widened once for four rows, and the
    // four sums come out of one transpose instead of four horizontal reductions. Integer sums
    // are exact in any order, and each lane's score is computed exactly as in the tail loop.
    while i + 4 <= n {
        let r0 = db.add(i as usize * d);
        let (r1, r2, r3) = (r0.add(d), r0.add(2 * d), r0.add(3 * d));
        let (mut a0, mut a1, mut a2, mut a3) = (i32x4_splat(0), i32x4_splat(0), i32x4_splat(0), i32x4_splat(0));
        for b in 0..blocks {
            let o = 16 * b;
            let qv = v128_load(query.add(o) as *const v128);
            let (ql, qh) = (i16x8_extend_low_i8x16(qv), i16x8_extend_high_i8x16(qv));
            let v = v128_load(r0.add(o) as *const v128);
            a0 = i32x4_add(a0, i32x4_add(i32x4_dot_i16x8(i16x8_extend_low_i8x16(v), ql), i32x4_dot_i16x8(i16x8_extend_high_i8x16(v), qh)));
            let v = v128_load(r1.add(o) as *const v128);
            a1 = i32x4_add(a1, i32x4_add(i32x4_dot_i16x8(i16x8_extend_low_i8x16(v), ql), i32x4_dot_i16x8(i16x8_extend_high_i8x16(v), qh)));
            let v = v128_load(r2.add(o) as *const v128);
            a2 = i32x4_add(a2, i32x4_add(i32x4_dot_i16x8(i16x8_extend_low_i8x16(v), ql), i32x4_dot_i16x8(i16x8_extend_high_i8x16(v), qh)));
            let v = v128_load(r3.add(o) as *const v128);
            a3 = i32x4_add(a3, i32x4_add(i32x4_dot_i16x8(i16x8_extend_low_i8x16(v), ql), i32x4_dot_i16x8(i16x8_extend_high_i8x16(v), qh)));
        }
        // Transpose-add: lane k of `sums` is the total of accumulator k.
        let t0 = i32x4_add(i32x4_shuffle::<0, 4, 1, 5>(a0, a1), i32x4_shuffle::<2, 6, 3, 7>(a0, a1));
        let t1 = i32x4_add(i32x4_shuffle::<0, 4, 1, 5>(a2, a3), i32x4_shuffle::<2, 6, 3, 7>(a2, a3));
        let sums = i32x4_add(i32x4_shuffle::<0, 1, 4, 5>(t0, t1), i32x4_shuffle::<2, 3, 6, 7>(t0, t1));
        let sc = f32x4_mul(f32x4_mul(f32x4_convert_i32x4(sums), v128_load(scales.add(i as usize) as *const v128)), qs);
        push_top(out_idx, out_score, &mut len, k, i, f32x4_extract_lane::<0>(sc));
        push_top(out_idx, out_score, &mut len, k, i + 1, f32x4_extract_lane::<1>(sc));
        push_top(out_idx, out_score, &mut len, k, i + 2, f32x4_extract_lane::<2>(sc));
        push_top(out_idx, out_score, &mut len, k, i + 3, f32x4_extract_lane::<3>(sc));
        i += 4;
    }
    while i < n {
        let row = db.add(i as usize * d);
        let mut acc = i32x4_splat(0);
        for b in 0..blocks {
            let o = 16 * b;
            let rv = v128_load(row.add(o) as *const v128);
            let qv = v128_load(query.add(o) as *const v128);
            acc = i32x4_add(acc, i32x4_dot_i16x8(i16x8_extend_low_i8x16(rv), i16x8_extend_low_i8x16(qv)));
            acc = i32x4_add(acc, i32x4_dot_i16x8(i16x8_extend_high_i8x16(rv), i16x8_extend_high_i8x16(qv)));
        }
        let dot = i32x4_extract_lane::<0>(acc)
            .wrapping_add(i32x4_extract_lane::<1>(acc))
            .wrapping_add(i32x4_extract_lane::<2>(acc))
            .wrapping_add(i32x4_extract_lane::<3>(acc));
        let score = dot as f32 * *scales.add(i as usize) * q_scale;
        push_top(out_idx, out_score, &mut len, k, i, score);
        i += 1;
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
