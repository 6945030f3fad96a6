//! Affine warp with bilinear sampling and a constant border (OpenCV `warpAffine` with
//! `WARP_INVERSE_MAP`, `INTER_LINEAR`, `BORDER_CONSTANT` semantics).
//!
//! The matrix maps *destination* pixel centres to *source* coordinates (pixel centres at
//! integer coordinates, as in OpenCV): `sx = m0·dx + (m1·dy + m2)`, `sy = m3·dx + (m4·dy + m5)`,
//! evaluated in f64 in exactly that order by both this file and `kernels-ref.ts`. The host
//! inverts a src→dst matrix before calling. Coordinates are quantised to 1/2048 px
//! (`floor(s·2048 + 0.5)`) and blended with 11-bit weights like `resize.rs`. A tap outside
//! the source takes the border value, so edges fade into the border as in OpenCV.

use crate::resize::ONE;
use crate::{ERR_ARGS, OK};
use core::arch::wasm32::*;

#[inline(always)]
fn quantise(s: f64, n: usize) -> (i32, i32) {
    // Clamping first keeps the fixed-point value in i32 and makes far-away samples land
    // fully outside (all four taps take the border).
    // Plain comparisons: f64::min/max become libm calls on wasm32 (the matrix is finite).
    let hi = n as f64 + 1.0;
    let s = if s < -2.0 { -2.0 } else if s > hi { hi } else { s };
    let q = (s * ONE as f64 + 0.5).floor() as i32;
    (q >> 11, q & (ONE - 1))
}

/// Warps a `sw`×`sh` image with `c` ∈ 1..=4 channels into `dst` (`dw`×`dh`×`c` bytes).
/// `m`: 6 f64, the dst→src affine matrix (row-major 2×3). `border`: 4 bytes, one per channel.
/// Returns `OK` or `ERR_ARGS`.
#[no_mangle]
pub unsafe extern "C" fn hmp_warp_affine(
    src: *const u8,
    sw: u32,
    sh: u32,
    c: u32,
    dst: *mut u8,
    dw: u32,
    dh: u32,
    m: *const f64,
    border: *const u8,
) -> i32 {
    if !(1..=4).contains(&c) || sw == 0 || sh == 0 {
        return ERR_ARGS;
    }
    let (sw, sh, c, dw, dh) = (sw as usize, sh as usize, c as usize, dw as usize, dh as usize);
    let mut mm = [0f64; 6];
    core::ptr::copy_nonoverlapping(m, mm.as_mut_ptr(), 6);
    let mut bv = [0u8; 4];
    core::ptr::copy_nonoverlapping(border, bv.as_mut_ptr(), 4);
    let stride = sw * c;
    let round = 1i32 << 21;
    let sel = u8x16(0, 0x80, 4, 0x80, 1, 0x80, 5, 0x80, 2, 0x80, 6, 0x80, 3, 0x80, 7, 0x80);
    for dy in 0..dh {
        let (bx, by) = (mm[1] * dy as f64 + mm[2], mm[4] * dy as f64 + mm[5]);
        let drow = dst.add(dy * dw * c);
        for dx in 0..dw {
            let (x0, fx) = quantise(mm[0] * dx as f64 + bx, sw);
            let (y0, fy) = quantise(mm[3] * dx as f64 + by, sh);
            let (wx0, wy0) = (ONE - fx, ONE - fy);
            let d = drow.add(dx * c);
            let inside = x0 >= 0 && y0 >= 0 && (x0 as usize) + 1 < sw && (y0 as usize) + 1 < sh;
            if inside && c == 4 {
                // Two adjacent RGBA pixels per row in one 8-byte load, blended like resize.rs.
                let p = src.add(y0 as usize * stride + x0 as usize * 4);
                let w = i32x4_splat((wx0 & 0xFFFF) | (fx << 16));
                let h0 = i32x4_dot_i16x8(i8x16_swizzle(v128_load64_zero(p as *const u64), sel), w);
                let h1 = i32x4_dot_i16x8(i8x16_swizzle(v128_load64_zero(p.add(stride) as *const u64), sel), w);
                let v = i32x4_add(i32x4_add(i32x4_mul(h0, i32x4_splat(wy0)), i32x4_mul(h1, i32x4_splat(fy))), i32x4_splat(round));
                let v = i32x4_shr(v, 22);
                let b = u8x16_narrow_i16x8(i16x8_narrow_i32x4(v, v), i16x8_narrow_i32x4(v, v));
                (d as *mut u32).write_unaligned(u32x4_extract_lane::<0>(b));
            } else if inside {
                let p00 = src.add(y0 as usize * stride + x0 as usize * c);
                let p10 = p00.add(stride);
                for k in 0..c {
                    let h0 = *p00.add(k) as i32 * wx0 + *p00.add(c + k) as i32 * fx;
                    let h1 = *p10.add(k) as i32 * wx0 + *p10.add(c + k) as i32 * fx;
                    *d.add(k) = ((h0 * wy0 + h1 * fy + round) >> 22) as u8;
                }
            } else {
                let tap = |x: i32, y: i32, k: usize| -> i32 {
                    if x >= 0 && y >= 0 && (x as usize) < sw && (y as usize) < sh {
                        *src.add(y as usize * stride + x as usize * c + k) as i32
                    } else {
                        bv[k] as i32
                    }
                };
                for k in 0..c {
                    let h0 = tap(x0, y0, k) * wx0 + tap(x0 + 1, y0, k) * fx;
                    let h1 = tap(x0, y0 + 1, k) * wx0 + tap(x0 + 1, y0 + 1, k) * fx;
                    *d.add(k) = ((h0 * wy0 + h1 * fy + round) >> 22) as u8;
                }
            }
        }
    }
    OK
}
