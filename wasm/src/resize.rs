//! Bilinear resize (OpenCV `INTER_LINEAR` geometry) and crop.
//!
//! Geometry: half-pixel centres, `sx = (dx + 0.5)·srcW/dstW − 0.5`, clamped at the edges
//! exactly like OpenCV's `cv::resize(..., INTER_LINEAR)`: no antialiasing on downscale (sharp
//! and Pillow filter with wider kernels instead; detectors are trained on OpenCV-style input).
//!
//! Arithmetic: weights are 11-bit fixed point (`2048` = 1.0) derived from *integer* source
//! coordinates, so no float rounding can differ between WASM and the TypeScript reference.
//! A horizontal pass produces `p0·wx0 + p1·wx1` per channel (i32), a vertical pass
//! `(h0·wy0 + h1·wy1 + 2^21) >> 22`. Both passes are the same integer sum as the textbook
//! 4-tap formula, so results are bit-exact with `kernels-ref.ts` and within ±1 of OpenCV.

use crate::{scratch, ERR_ARGS, OK};
use core::arch::wasm32::*;

pub(crate) const ONE: i32 = 2048;
const SHIFT2: u32 = 22;

/// One axis of the sampling table: first source index and the 11-bit weight of the second.
#[derive(Clone, Copy, Default)]
pub(crate) struct Tap {
    pub i0: u32,
    pub i1: u32,
    pub w0: i32,
    pub w1: i32,
}

/// Sampling for destination index `d` of `dn` over `sn` source samples. Integer-only:
/// `sx·2·dn = (2d + 1)·sn − dn`, so floor and fraction come from one division.
pub(crate) fn tap(d: usize, sn: usize, dn: usize) -> Tap {
    let num = (2 * d as i64 + 1) * sn as i64 - dn as i64;
    let den = 2 * dn as i64;
    let (mut i0, mut w1) = if num <= 0 { (0i64, 0i64) } else { (num / den, ((num % den) * ONE as i64 + dn as i64) / den) };
    if i0 >= sn as i64 - 1 {
        i0 = sn as i64 - 1;
        w1 = 0;
    }
    let i1 = if i0 + 1 < sn as i64 { i0 + 1 } else { i0 };
    Tap { i0: i0 as u32, i1: i1 as u32, w0: ONE - w1 as i32, w1: w1 as i32 }
}

/// Resampler state reused across rows: tables and two cached horizontal rows.
pub(crate) struct Resizer {
    c: usize,
    sw: usize,
    sh: usize,
    dw: usize,
    xs: Vec<Tap>,
    /// Per destination column: source byte offset and both weights packed as i16 pairs,
    /// ready for `v128_load32_splat` + `dot_i16x8` (two loads per pixel in the SIMD pass).
    hx: Vec<(u32, i32)>,
    ys: Vec<Tap>,
    /// Horizontal rows (i32 per channel, +4 slack for the 3-channel SIMD store).
    rows: [Vec<i32>; 2],
    tags: [usize; 2],
}

impl Resizer {
    pub(crate) fn new(sw: usize, sh: usize, c: usize, dw: usize, dh: usize) -> Result<Resizer, i32> {
        let mut xs = scratch::<Tap>(dw)?;
        for (d, t) in xs.iter_mut().enumerate() {
            *t = tap(d, sw, dw);
            // The SIMD horizontal pass loads two adjacent pixels; a clamped last tap
            // (i0 = i1 = sw-1, w1 = 0) is rewritten as (sw-2, sw-1) with all weight on the
            // second, which is the same sum.
            if t.i0 == t.i1 && sw >= 2 {
                *t = Tap { i0: t.i0 - 1, i1: t.i0, w0: 0, w1: ONE };
            }
        }
        let mut hx = scratch::<(u32, i32)>(dw)?;
        for (h, t) in hx.iter_mut().zip(xs.iter()) {
            *h = (t.i0 * c as u32, (t.w0 & 0xFFFF) | (t.w1 << 16));
        }
        let mut ys = scratch::<Tap>(dh)?;
        for (d, t) in ys.iter_mut().enumerate() {
            *t = tap(d, sh, dh);
        }
        let rows = [scratch::<i32>(dw * c + 4)?, scratch::<i32>(dw * c + 4)?];
        Ok(Resizer { c, sw, sh, dw, xs, hx, ys, rows, tags: [usize::MAX; 2] })
    }

    unsafe fn horizontal(&mut self, src: *const u8, sy: usize, slot: usize) {
        let c = self.c;
        let row = src.add(sy * self.sw * c);
        let out = self.rows[slot].as_mut_ptr();
        let simd = self.sw >= 2;
        if c == 4 && simd {
            // Byte lanes → u16 lanes ordered (p0.r, p1.r, p0.g, p1.g, ...) for dot_i16x8.
            let m = u8x16(0, 0x80, 4, 0x80, 1, 0x80, 5, 0x80, 2, 0x80, 6, 0x80, 3, 0x80, 7, 0x80);
            for (d, &(off, w)) in self.hx.iter().enumerate() {
                let p = v128_load64_zero(row.add(off as usize) as *const u64);
                let w = i32x4_splat(w);
                v128_store(out.add(d * 4) as *mut v128, i32x4_dot_i16x8(i8x16_swizzle(p, m), w));
            }
        } else if c == 3 && simd {
            let m = u8x16(0, 0x80, 3, 0x80, 1, 0x80, 4, 0x80, 2, 0x80, 5, 0x80, 0x80, 0x80, 0x80, 0x80);
            for (d, &(off, w)) in self.hx.iter().enumerate() {
                // Exactly 6 bytes: a u32 and a u16 read, so the last pixel never over-reads.
                let s = row.add(off as usize);
                let lo = (s as *const u32).read_unaligned() as u64;
                let hi = (s.add(4) as *const u16).read_unaligned() as u64;
                let p = u64x2(lo | (hi << 32), 0);
                let w = i32x4_splat(w);
                // Lane 3 is zero and lands on the next pixel's R, which the next store rewrites.
                v128_store(out.add(d * 3) as *mut v128, i32x4_dot_i16x8(i8x16_swizzle(p, m), w));
            }
        } else {
            for (d, t) in self.xs.iter().enumerate() {
                let (a, b) = (row.add(t.i0 as usize * c), row.add(t.i1 as usize * c));
                for k in 0..c {
                    *out.add(d * c + k) = *a.add(k) as i32 * t.w0 + *b.add(k) as i32 * t.w1;
                }
            }
        }
        self.tags[slot] = sy;
    }

    /// Makes sure the horizontal rows for `y0` and `y1` are cached; returns their slots.
    unsafe fn rows_for(&mut self, src: *const u8, y0: usize, y1: usize) -> (usize, usize) {
        let find = |tags: &[usize; 2], y: usize| tags.iter().position(|&t| t == y);
        let s0 = match find(&self.tags, y0) {
            Some(s) => s,
            None => {
                // Evict the slot not holding y1.
                let s = if self.tags[0] == y1 { 1 } else { 0 };
                self.horizontal(src, y0, s);
                s
            }
        };
        let s1 = match find(&self.tags, y1) {
            Some(s) => s,
            None => {
                let s = 1 - s0;
                self.horizontal(src, y1, s);
                s
            }
        };
        (s0, s1)
    }

    /// Writes destination row `dy` (dw·c bytes) to `dst`.
    pub(crate) unsafe fn row(&mut self, src: *const u8, dy: usize, dst: *mut u8) {
        let t = self.ys[dy];
        let (s0, s1) = self.rows_for(src, t.i0 as usize, t.i1 as usize);
        let (r0, r1) = (self.rows[s0].as_ptr(), self.rows[s1].as_ptr());
        let n = self.dw * self.c;
        let (w0, w1) = (i32x4_splat(t.w0), i32x4_splat(t.w1));
        let round = i32x4_splat(1 << (SHIFT2 - 1));
        let v = |i: usize| {
            let a = v128_load(r0.add(i) as *const v128);
            let b = v128_load(r1.add(i) as *const v128);
            i32x4_shr(i32x4_add(i32x4_add(i32x4_mul(a, w0), i32x4_mul(b, w1)), round), SHIFT2)
        };
        let blocks = n / 16;
        for k in 0..blocks {
            let i = k * 16;
            let out = crate::color::pack4(v(i), v(i + 4), v(i + 8), v(i + 12));
            v128_store(dst.add(i) as *mut v128, out);
        }
        for i in blocks * 16..n {
            *dst.add(i) = ((*r0.add(i) * t.w0 + *r1.add(i) * t.w1 + (1 << (SHIFT2 - 1))) >> SHIFT2) as u8;
        }
    }
}

/// Bilinear resize of a `sw`×`sh` image with `c` interleaved channels (1..=4) to `dw`×`dh`
/// into `dst` (`dw·dh·c` bytes). Returns `OK`, `ERR_ARGS` or `ERR_ALLOC`.
#[no_mangle]
pub unsafe extern "C" fn hmp_resize_bilinear(src: *const u8, sw: u32, sh: u32, c: u32, dst: *mut u8, dw: u32, dh: u32) -> i32 {
    if !(1..=4).contains(&c) || sw == 0 || sh == 0 || dw == 0 || dh == 0 {
        return ERR_ARGS;
    }
    let (c, dw, dh) = (c as usize, dw as usize, dh as usize);
    let mut r = match Resizer::new(sw as usize, sh as usize, c, dw, dh) {
        Ok(r) => r,
        Err(e) => return e,
    };
    debug_assert!(r.sh == sh as usize);
    for dy in 0..dh {
        r.row(src, dy, dst.add(dy * dw * c));
    }
    OK
}

/// Copies the `w`×`h` rectangle at (`x`, `y`) of a `sw`×`sh` image with `c` channels to
/// `dst` (`w·h·c` bytes). The host validates the rectangle; out-of-bounds returns `ERR_ARGS`.
/// For modules that chain kernels inside linear memory (the JS binding crops in JS).
#[no_mangle]
pub unsafe extern "C" fn hmp_crop(src: *const u8, sw: u32, sh: u32, c: u32, x: u32, y: u32, w: u32, h: u32, dst: *mut u8) -> i32 {
    let (sw, sh, c, x, y, w, h) = (sw as usize, sh as usize, c as usize, x as usize, y as usize, w as usize, h as usize);
    if c == 0 || w == 0 || h == 0 || x + w > sw || y + h > sh {
        return ERR_ARGS;
    }
    for r in 0..h {
        core::ptr::copy_nonoverlapping(src.add(((y + r) * sw + x) * c), dst.add(r * w * c), w * c);
    }
    OK
}
