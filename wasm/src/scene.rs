//! Scene monitor kernels: per-block colour, fire/smoke-rule, gradient and hue-order sums plus
//! the 4x4 luma thumbnail of an RGBA frame, in one pass. The TypeScript reference is
//! `blockSums` + `thumbLuma` in src/tasks/scene/{features,stream}.ts; both produce identical
//! integers (sums are exact), so tests compare them for equality.
//!
//! Speed: the frame is walked row by row and, within a row, block segment by block segment,
//! eight pixels at a time in 16-bit SIMD lanes: the rule tests are lane masks, counts and
//! sums accumulate in v128 registers and are flushed to the block's 64-bit sums at the end of
//! each segment (or every 1024 pixels, before a 16-bit lane could overflow). Segment tails
//! shorter than eight pixels take the scalar path, which is the reference arithmetic.

use crate::{scratch, ERR_ARGS, OK};
use core::arch::wasm32::*;

/// Sums per block (layout documented in features.ts `SUM`): 20 statistics, then the 32-bin
/// warm colour histogram.
const NSUMS: usize = 52;
/// Histogram bins per block in the kernel's counters: 32 used, the rest catch the pixels of
/// other hue orders (bin 32 + ...), so lane indices need no branch.
const HBINS: usize = 64;
const EDGE_THRESHOLD: i32 = 48;
const THUMB: usize = 4;
/// Pixels per flush of the 16-bit lane accumulators: 128 iterations of 8 lanes; the widest
/// per-lane sums are |dx|+|dy| ≤ 510 (128 x 510 < 2^16, unsigned) and r−g ≥ −255
/// (128 x 255 < 2^15, signed).
const SEGMENT: usize = 1024;

#[inline(always)]
fn luma(p: *const u8) -> i32 {
    // SAFETY: callers pass a pointer to 3 readable bytes.
    unsafe { (77 * *p as i32 + 150 * *p.add(1) as i32 + 29 * *p.add(2) as i32 + 128) >> 8 }
}

/// R, G, B of the 8 RGBA pixels at `p` as u16 lanes.
#[inline(always)]
unsafe fn rgb8(p: *const u8) -> (v128, v128, v128) {
    let v0 = v128_load(p as *const v128);
    let v1 = v128_load(p.add(16) as *const v128);
    let rg = i8x16_shuffle::<0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29>(v0, v1);
    let bb = i8x16_shuffle::<2, 6, 10, 14, 18, 22, 26, 30, 2, 6, 10, 14, 18, 22, 26, 30>(v0, v1);
    (u16x8_extend_low_u8x16(rg), u16x8_extend_high_u8x16(rg), u16x8_extend_low_u8x16(bb))
}

/// Luma of one row into `dst[0..w]` (u16), plus `dst[w] = dst[w-1]` so the last pixel's
/// horizontal difference is 0, as in the reference.
fn row_luma(row: *const u8, w: usize, dst: &mut [u16]) {
    let mut x = 0;
    let (k77, k150, k29, k128) = (u16x8_splat(77), u16x8_splat(150), u16x8_splat(29), u16x8_splat(128));
    while x + 8 <= w {
        // SAFETY: x + 8 <= w pixels of the row; dst has w + 8 elements.
        unsafe {
            let (r, g, b) = rgb8(row.add(x * 4));
            // 77r + 150g + 29b + 128 ≤ 65408: exact in u16 lanes.
            let s = i16x8_add(i16x8_add(i16x8_mul(r, k77), i16x8_mul(g, k150)), i16x8_add(i16x8_mul(b, k29), k128));
            v128_store(dst.as_mut_ptr().add(x) as *mut v128, u16x8_shr(s, 8));
        }
        x += 8;
    }
    while x < w {
        // SAFETY: x < w.
        dst[x] = luma(unsafe { row.add(x * 4) }) as u16;
        x += 1;
    }
    dst[w] = dst[w - 1];
}

#[inline(always)]
fn hsum_u16(v: v128) -> i64 {
    let s = i32x4_add(u32x4_extend_low_u16x8(v), u32x4_extend_high_u16x8(v));
    (i32x4_extract_lane::<0>(s) + i32x4_extract_lane::<1>(s) + i32x4_extract_lane::<2>(s) + i32x4_extract_lane::<3>(s)) as i64
}

#[inline(always)]
fn hsum_i16(v: v128) -> i64 {
    let s = i32x4_add(i32x4_extend_low_i16x8(v), i32x4_extend_high_i16x8(v));
    (i32x4_extract_lane::<0>(s) + i32x4_extract_lane::<1>(s) + i32x4_extract_lane::<2>(s) + i32x4_extract_lane::<3>(s)) as i64
}

#[inline(always)]
fn hsum_i32(v: v128) -> i64 {
    i32x4_extract_lane::<0>(v) as i64 + i32x4_extract_lane::<1>(v) as i64 + i32x4_extract_lane::<2>(v) as i64 + i32x4_extract_lane::<3>(v) as i64
}

/// Sums of pixels `x0..x1` (a multiple of 8 long, at most SEGMENT) of one row, added to `a`.
/// `yrow`/`ynext`: luma of this row and the next (the next = this row on the last row, so
/// the vertical difference is 0), each with the `w`-th sentinel.
#[inline(always)]
fn segment_simd(row: *const u8, yrow: &[u16], ynext: &[u16], x0: usize, x1: usize, a: &mut [i64], hist: &mut [u32]) {
    let z = i16x8_splat(0);
    let (mut sy, mut sy2, mut sc, mut srg, mut sgb) = (z, z, z, z, z);
    let (mut fa, mut fb, mut hot, mut grey, mut bright, mut dark) = (z, z, z, z, z, z);
    let (mut sgr, mut sedge) = (z, z);
    let (mut h0, mut h1, mut h2, mut h3, mut h4, mut h5) = (z, z, z, z, z, z);
    let k = |v: i16| i16x8_splat(v);
    let mut x = x0;
    while x < x1 {
        // SAFETY: x + 8 <= x1 <= w pixels of the row; the luma rows have w + 8 elements.
        let (r, g, b, l, lr, ln) = unsafe {
            let (r, g, b) = rgb8(row.add(x * 4));
            let yp = yrow.as_ptr().add(x);
            (r, g, b, v128_load(yp as *const v128), v128_load(yp.add(1) as *const v128), v128_load(ynext.as_ptr().add(x) as *const v128))
        };
        let mx = u16x8_max(u16x8_max(r, g), b);
        let mn = u16x8_min(u16x8_min(r, g), b);
        let c = i16x8_sub(mx, mn);
        sy = i16x8_add(sy, l);
        sy2 = i32x4_add(sy2, i32x4_dot_i16x8(l, l));
        sc = i16x8_add(sc, c);
        srg = i16x8_add(srg, i16x8_sub(r, g));
        sgb = i16x8_add(sgb, i16x8_sub(g, b));
        let r_ge_g = i16x8_ge(r, g);
        let g_ge_b = i16x8_ge(g, b);
        let g_gt_b = i16x8_gt(g, b);
        let r_gt_b = i16x8_gt(r, b);
        let r_ge_b = i16x8_ge(r, b);
        // Counts: a true lane is -1, so subtracting adds one.
        let m_fa = v128_and(v128_and(v128_and(i16x8_gt(r, k(180)), i16x8_gt(g, k(80))), v128_and(r_ge_g, g_gt_b)), i16x8_gt(i16x8_sub(r, b), k(90)));
        fa = i16x8_sub(fa, m_fa);
        let m_fb = v128_and(v128_and(i16x8_gt(r, k(120)), r_ge_g), v128_and(g_ge_b, i16x8_gt(c, k(50))));
        fb = i16x8_sub(fb, m_fb);
        let m_hot = v128_and(v128_and(i16x8_gt(r, k(220)), i16x8_gt(g, k(180))), v128_and(i16x8_lt(b, k(200)), i16x8_ge(r, i16x8_add(b, k(25)))));
        hot = i16x8_sub(hot, m_hot);
        let m_grey = v128_and(i16x8_lt(c, k(24)), v128_and(i16x8_ge(l, k(70)), i16x8_le(l, k(230))));
        grey = i16x8_sub(grey, m_grey);
        bright = i16x8_sub(bright, i16x8_ge(l, k(235)));
        dark = i16x8_sub(dark, i16x8_lt(l, k(35)));
        let gr = i16x8_add(i16x8_abs(i16x8_sub(lr, l)), i16x8_abs(i16x8_sub(ln, l)));
        sgr = i16x8_add(sgr, gr);
        sedge = i16x8_sub(sedge, i16x8_gt(gr, k(EDGE_THRESHOLD as i16)));
        // Hue-order bins (as the reference): r>=g: g>=b → 0, r>b → 5, else 4;
        // r<g: r>=b → 1, g>=b → 2, else 3.
        h0 = i16x8_add(h0, v128_and(c, v128_and(r_ge_g, g_ge_b)));
        h5 = i16x8_add(h5, v128_and(c, v128_andnot(v128_and(r_ge_g, r_gt_b), g_ge_b)));
        h4 = i16x8_add(h4, v128_and(c, v128_andnot(v128_andnot(r_ge_g, r_gt_b), g_ge_b)));
        h1 = i16x8_add(h1, v128_and(c, v128_andnot(r_ge_b, r_ge_g)));
        h2 = i16x8_add(h2, v128_and(c, v128_andnot(v128_andnot(g_ge_b, r_ge_b), r_ge_g)));
        h3 = i16x8_add(h3, v128_and(c, v128_not(v128_or(v128_or(r_ge_g, r_ge_b), g_ge_b))));
        // Warm colour histogram bin (features.ts warmBin): 16·sector + 4·(l>>6) + chroma bin,
        // sector 0 = r>=g>=b, 16 = r>b>g, 32 = any other order (counted, then dropped).
        let s_a = v128_and(r_ge_g, g_ge_b);
        let s_b = v128_andnot(r_gt_b, g_ge_b);
        let sec = v128_or(v128_and(s_b, k(16)), v128_andnot(k(32), v128_or(s_a, s_b)));
        let cbin = i16x8_sub(i16x8_sub(i16x8_neg(i16x8_ge(c, k(32))), i16x8_ge(c, k(80))), i16x8_ge(c, k(160)));
        let idx = i16x8_add(i16x8_add(sec, cbin), i16x8_shl(u16x8_shr(l, 6), 2));
        hist[(u16x8_extract_lane::<0>(idx) as usize) & (HBINS - 1)] += 1;
        hist[(u16x8_extract_lane::<1>(idx) as usize) & (HBINS - 1)] += 1;
        hist[(u16x8_extract_lane::<2>(idx) as usize) & (HBINS - 1)] += 1;
        hist[(u16x8_extract_lane::<3>(idx) as usize) & (HBINS - 1)] += 1;
        hist[(u16x8_extract_lane::<4>(idx) as usize) & (HBINS - 1)] += 1;
        hist[(u16x8_extract_lane::<5>(idx) as usize) & (HBINS - 1)] += 1;
        hist[(u16x8_extract_lane::<6>(idx) as usize) & (HBINS - 1)] += 1;
        hist[(u16x8_extract_lane::<7>(idx) as usize) & (HBINS - 1)] += 1;
        x += 8;
    }
    a[0] += hsum_u16(sy);
    a[1] += hsum_i32(sy2);
    a[2] += hsum_u16(sc);
    a[3] += hsum_i16(srg);
    a[4] += hsum_i16(sgb);
    a[5] += hsum_u16(fa);
    a[6] += hsum_u16(fb);
    a[7] += hsum_u16(hot);
    a[8] += hsum_u16(grey);
    a[9] += hsum_u16(bright);
    a[10] += hsum_u16(dark);
    a[11] += hsum_u16(sgr);
    a[12] += hsum_u16(sedge);
    a[13] += hsum_u16(h0);
    a[14] += hsum_u16(h1);
    a[15] += hsum_u16(h2);
    a[16] += hsum_u16(h3);
    a[17] += hsum_u16(h4);
    a[18] += hsum_u16(h5);
    a[19] += (x1 - x0) as i64;
}

/// The reference arithmetic for one pixel (segment tails).
#[inline(always)]
fn pixel_scalar(row: *const u8, yrow: &[u16], ynext: &[u16], x: usize, a: &mut [i64], hist: &mut [u32]) {
    // SAFETY: x < w; the host validated the buffer holds w*h*4 bytes.
    let (r, g, b) = unsafe {
        let p = row.add(x * 4);
        (*p as i32, *p.add(1) as i32, *p.add(2) as i32)
    };
    let l = yrow[x] as i32;
    let mx = r.max(g).max(b);
    let mn = r.min(g).min(b);
    let c = mx - mn;
    a[0] += l as i64;
    a[1] += (l * l) as i64;
    a[2] += c as i64;
    a[3] += (r - g) as i64;
    a[4] += (g - b) as i64;
    a[5] += (r > 180 && g > 80 && r >= g && g > b && r - b > 90) as i64;
    a[6] += (r > 120 && r >= g && g >= b && c > 50) as i64;
    a[7] += (r > 220 && g > 180 && b < 200 && r >= b + 25) as i64;
    a[8] += (c < 24 && (70..=230).contains(&l)) as i64;
    a[9] += (l >= 235) as i64;
    a[10] += (l < 35) as i64;
    let gr = (yrow[x + 1] as i32 - l).abs() + (ynext[x] as i32 - l).abs();
    a[11] += gr as i64;
    a[12] += (gr > EDGE_THRESHOLD) as i64;
    let hb = if r >= g {
        if g >= b {
            0
        } else if r > b {
            5
        } else {
            4
        }
    } else if r >= b {
        1
    } else if g >= b {
        2
    } else {
        3
    };
    a[13 + hb] += c as i64;
    a[19] += 1;
    let sector = if r >= g && g >= b {
        0
    } else if r > b && b > g {
        16
    } else {
        32
    };
    let cbin = if c < 32 {
        0
    } else if c < 80 {
        1
    } else if c < 160 {
        2
    } else {
        3
    };
    hist[(sector + 4 * (l >> 6) + cbin) as usize & (HBINS - 1)] += 1;
}

/// Block sums and luma thumbnail of an RGBA frame.
///
/// - `rgba`: `w*h*4` bytes; `sums`: `bx*by*52` f64; `thumb`: `(w/4)*(h/4)` f32.
/// - Returns `OK`, `ERR_ARGS` for bad sizes or `ERR_ALLOC`.
#[no_mangle]
pub extern "C" fn hmp_scene_block_sums(rgba: *const u8, w: u32, h: u32, bx: u32, by: u32, sums: *mut f64, thumb: *mut f32) -> i32 {
    let (w, h, bx, by) = (w as usize, h as usize, bx as usize, by as usize);
    if rgba.is_null() || sums.is_null() || thumb.is_null() || w < 2 || h < 2 || bx == 0 || by == 0 || bx > w || by > h || w > 32768 || h > 32768 {
        return ERR_ARGS;
    }
    let nb = bx * by;
    let mut acc = match scratch::<i64>(nb * NSUMS) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let mut hist = match scratch::<u32>(nb * HBINS) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let mut col_start = match scratch::<usize>(bx + 1) {
        Ok(v) => v,
        Err(e) => return e,
    };
    // Luma rows with a sentinel and room for an 8-lane load at the sentinel.
    let mut yrow = match scratch::<u16>(w + 8) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let mut ynext = match scratch::<u16>(w + 8) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let tw = w / THUMB;
    let th = h / THUMB;
    let mut tacc = match scratch::<u32>(tw.max(1) * th.max(1)) {
        Ok(v) => v,
        Err(e) => return e,
    };
    // Block column of x is min(bx-1, floor(x*bx/w)), non-decreasing in x: record where each starts.
    let mut cb = 0usize;
    for x in 0..w {
        let c = ((x * bx) / w).min(bx - 1);
        while cb < c {
            cb += 1;
            col_start[cb] = x;
        }
    }
    col_start[bx] = w;
    row_luma(rgba, w, &mut yrow);
    for y in 0..h {
        let rb = ((y * by) / h).min(by - 1);
        if y + 1 < h {
            // SAFETY: (y+1) < h.
            row_luma(unsafe { rgba.add((y + 1) * w * 4) }, w, &mut ynext);
        } else {
            // Last row: no vertical difference.
            ynext.copy_from_slice(&yrow);
        }
        // SAFETY: y < h.
        let row = unsafe { rgba.add(y * w * 4) };
        for c in 0..bx {
            let blk = rb * bx + c;
            let a = &mut acc[blk * NSUMS..(blk + 1) * NSUMS];
            let hs = &mut hist[blk * HBINS..(blk + 1) * HBINS];
            let mut x0 = col_start[c];
            let x1 = col_start[c + 1];
            while x0 + 8 <= x1 {
                let xe = (x0 + SEGMENT).min(x0 + ((x1 - x0) & !7));
                segment_simd(row, &yrow, &ynext, x0, xe, a, hs);
                x0 = xe;
            }
            while x0 < x1 {
                pixel_scalar(row, &yrow, &ynext, x0, a, hs);
                x0 += 1;
            }
        }
        if y < th * THUMB {
            let t0 = (y / THUMB) * tw;
            for t in 0..tw {
                let q = t * THUMB;
                tacc[t0 + t] += yrow[q] as u32 + yrow[q + 1] as u32 + yrow[q + 2] as u32 + yrow[q + 3] as u32;
            }
        }
        core::mem::swap(&mut yrow, &mut ynext);
    }
    for b in 0..nb {
        for k in 0..32 {
            acc[b * NSUMS + 20 + k] = hist[b * HBINS + k] as i64;
        }
    }
    for i in 0..nb * NSUMS {
        // SAFETY: the host allocated nb*20 f64 at `sums`.
        unsafe { *sums.add(i) = acc[i] as f64 };
    }
    for i in 0..tw * th {
        // SAFETY: the host allocated tw*th f32 at `thumb`.
        unsafe { *thumb.add(i) = tacc[i] as f32 / (THUMB * THUMB) as f32 };
    }
    OK
}
