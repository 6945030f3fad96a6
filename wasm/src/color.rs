//! Pixel-format conversions: RGBA / RGB / BGR / GRAY between each other, and NV21 (Android
//! camera preview) to any of them.
//!
//! Every conversion is exact integer math, mirrored line for line by
//! `src/runtime/kernels-ref.ts`, so the WASM and TypeScript paths agree bit for bit.

use crate::{ERR_ARGS, OK};
use core::arch::wasm32::*;

pub const RGBA: u32 = 0;
pub const RGB: u32 = 1;
pub const BGR: u32 = 2;
pub const GRAY: u32 = 3;
pub const NV21: u32 = 4;

/// Marks an output channel that is a constant 255 (opaque alpha) in a [`Shuf`] map.
pub(crate) const OPAQUE: u8 = 0xFF;

/// A precomputed byte shuffle that moves 16 pixels of `I` interleaved channels to 16 pixels
/// of `O` channels, output channel `c` taken from input channel `map[c]` (or [`OPAQUE`]).
///
/// Why this shape: 16 pixels is the smallest block where both sides are whole v128s
/// (16·I and 16·O bytes), and every output vector then draws from at most two consecutive
/// input vectors, so one block costs 2·O swizzles and no scalar byte moves. One generic
/// shuffle covers dropping/adding alpha, RGB↔BGR swaps and gray expansion. The one
/// exception is 3→3 with R/B swapped, where a vector can reach back into a third input
/// vector; that case (and only that, decided at compile time) adds a third swizzle.
pub(crate) struct Shuf {
    in_ch: usize,
    out_ch: usize,
    map: [u8; 4],
    ma: [v128; 4],
    mb: [v128; 4],
    mc: [v128; 4],
    cst: [v128; 4],
}

/// Index of the first input vector output vector `o` draws from (see [`Shuf`]).
#[inline(always)]
const fn base_vec(o: usize, i: usize, out: usize) -> usize {
    (16 * o / out) * i / 16
}

impl Shuf {
    pub(crate) fn new(in_ch: usize, out_ch: usize, map: [u8; 4]) -> Shuf {
        let mut ma = [[0x80u8; 16]; 4];
        let mut mb = [[0x80u8; 16]; 4];
        let mut mc = [[0x80u8; 16]; 4];
        let mut cst = [[0u8; 16]; 4];
        for o in 0..out_ch {
            let a = base_vec(o, in_ch, out_ch);
            for l in 0..16 {
                let j = 16 * o + l;
                let (px, c) = (j / out_ch, j % out_ch);
                let m = map[c];
                if m == OPAQUE {
                    cst[o][l] = 255;
                    continue;
                }
                let sb = px * in_ch + m as usize;
                // By construction a <= sb / 16 <= a + 2 (see the type's doc).
                let m = match sb / 16 - a {
                    0 => &mut ma,
                    1 => &mut mb,
                    _ => &mut mc,
                };
                m[o][l] = (sb % 16) as u8;
            }
        }
        let v = |b: &[u8; 16]| unsafe { v128_load(b.as_ptr() as *const v128) };
        Shuf {
            in_ch,
            out_ch,
            map,
            ma: [v(&ma[0]), v(&ma[1]), v(&ma[2]), v(&ma[3])],
            mb: [v(&mb[0]), v(&mb[1]), v(&mb[2]), v(&mb[3])],
            mc: [v(&mc[0]), v(&mc[1]), v(&mc[2]), v(&mc[3])],
            cst: [v(&cst[0]), v(&cst[1]), v(&cst[2]), v(&cst[3])],
        }
    }

    /// Whether the shuffle is a plain copy (same layout in and out).
    pub(crate) fn is_identity(&self) -> bool {
        self.in_ch == self.out_ch && (0..self.out_ch).all(|c| self.map[c] as usize == c)
    }

    /// Shuffles one block of 16 pixels held in registers.
    #[inline(always)]
    pub(crate) fn apply<const I: usize, const O: usize>(&self, v: &[v128; I]) -> [v128; O] {
        let mut out = [u8x16_splat(0); O];
        for o in 0..O {
            let a = base_vec(o, I, O);
            let b = if a + 1 < I { a + 1 } else { a };
            let mut x = v128_or(
                v128_or(i8x16_swizzle(v[a], self.ma[o]), i8x16_swizzle(v[b], self.mb[o])),
                self.cst[o],
            );
            if I == 3 && O == 3 {
                let c = if a + 2 < I { a + 2 } else { I - 1 };
                x = v128_or(x, i8x16_swizzle(v[c], self.mc[o]));
            }
            out[o] = x;
        }
        out
    }

    /// Loads one block of 16 pixels of `I` channels.
    #[inline(always)]
    pub(crate) unsafe fn load<const I: usize>(src: *const u8) -> [v128; I] {
        let mut v = [u8x16_splat(0); I];
        for (k, x) in v.iter_mut().enumerate() {
            *x = v128_load(src.add(16 * k) as *const v128);
        }
        v
    }

    /// Scalar shuffle of one pixel (block tails).
    #[inline(always)]
    pub(crate) unsafe fn pixel(&self, src: *const u8, dst: *mut u8) {
        for c in 0..self.out_ch {
            let m = self.map[c];
            *dst.add(c) = if m == OPAQUE { 255 } else { *src.add(m as usize) };
        }
    }

    unsafe fn run_n<const I: usize, const O: usize>(&self, src: *const u8, dst: *mut u8, n: usize) {
        let blocks = n / 16;
        for b in 0..blocks {
            let v = Shuf::load::<I>(src.add(b * 16 * I));
            let out: [v128; O] = self.apply::<I, O>(&v);
            let d = dst.add(b * 16 * O);
            for (k, x) in out.iter().enumerate() {
                v128_store(d.add(16 * k) as *mut v128, *x);
            }
        }
        for p in blocks * 16..n {
            self.pixel(src.add(p * I), dst.add(p * O));
        }
    }

    /// Shuffles `n` pixels from `src` to `dst`.
    pub(crate) unsafe fn run(&self, src: *const u8, dst: *mut u8, n: usize) {
        if self.is_identity() {
            core::ptr::copy_nonoverlapping(src, dst, n * self.in_ch);
            return;
        }
        match (self.in_ch, self.out_ch) {
            (4, 3) => self.run_n::<4, 3>(src, dst, n),
            (3, 4) => self.run_n::<3, 4>(src, dst, n),
            (3, 3) => self.run_n::<3, 3>(src, dst, n),
            (4, 4) => self.run_n::<4, 4>(src, dst, n),
            (1, 3) => self.run_n::<1, 3>(src, dst, n),
            (1, 4) => self.run_n::<1, 4>(src, dst, n),
            (1, 1) => self.run_n::<1, 1>(src, dst, n),
            _ => {
                for p in 0..n {
                    self.pixel(src.add(p * self.in_ch), dst.add(p * self.out_ch));
                }
            }
        }
    }
}

/// Bytes per pixel of a packed format (NV21 excluded).
fn channels(f: u32) -> Option<usize> {
    match f {
        RGBA => Some(4),
        RGB | BGR => Some(3),
        GRAY => Some(1),
        _ => None,
    }
}

/// Where output channel `c` of format `to` comes from in format `from` (both packed).
fn channel_map(from: u32, to: u32) -> [u8; 4] {
    // Position of R, G, B in `from`; gray feeds all three from its only channel.
    let (r, g, b) = match from {
        RGBA | RGB => (0, 1, 2),
        BGR => (2, 1, 0),
        _ => (0, 0, 0),
    };
    let alpha = if from == RGBA { 3 } else { OPAQUE };
    match to {
        RGBA => [r, g, b, alpha],
        RGB => [r, g, b, 0],
        BGR => [b, g, r, 0],
        _ => [0, 0, 0, 0],
    }
}

/// BT.601 luma with 8-bit weights: `(77 R + 150 G + 29 B + 128) >> 8`.
#[inline(always)]
pub(crate) fn luma(r: u32, g: u32, b: u32) -> u8 {
    ((77 * r + 150 * g + 29 * b + 128) >> 8) as u8
}

/// Luma of four RGBX pixels held as u32 lanes (R in the low byte).
///
/// Why the u16 split: multiplying bytes in u16 lanes keeps 8 products per instruction;
/// 77·255 + 150·255 = 57885 still fits a u16, and the two halves of each pixel are summed
/// once in u32 lanes.
#[inline(always)]
fn luma4(v: v128) -> v128 {
    let lo = v128_and(v, u16x8_splat(0x00FF)); // r, b
    let hi = u16x8_shr(v, 8); // g, a
    let t = i16x8_add(
        i16x8_mul(lo, u32x4_splat(77 | (29 << 16))),
        i16x8_mul(hi, u32x4_splat(150)),
    );
    let s = i32x4_add(i32x4_add(v128_and(t, u32x4_splat(0xFFFF)), u32x4_shr(t, 16)), u32x4_splat(128));
    u32x4_shr(s, 8)
}

/// Packs four u32x4 lanes (each 0..=255) into 16 bytes.
#[inline(always)]
pub(crate) fn pack4(a: v128, b: v128, c: v128, d: v128) -> v128 {
    u8x16_narrow_i16x8(i16x8_narrow_i32x4(a, b), i16x8_narrow_i32x4(c, d))
}

unsafe fn to_gray<const I: usize>(src: *const u8, dst: *mut u8, n: usize, shuf: Option<&Shuf>, map: [u8; 4]) {
    let blocks = n / 16;
    for b in 0..blocks {
        let v = Shuf::load::<I>(src.add(b * 16 * I));
        // RGBA is already RGBX; luma4 ignores the fourth byte.
        let x: [v128; 4] = match shuf {
            Some(s) => s.apply::<I, 4>(&v),
            None => core::array::from_fn(|k| v[k % I]),
        };
        let y = pack4(luma4(x[0]), luma4(x[1]), luma4(x[2]), luma4(x[3]));
        v128_store(dst.add(b * 16) as *mut v128, y);
    }
    for p in blocks * 16..n {
        let s = src.add(p * I);
        let px = |c: u8| *s.add(c as usize) as u32;
        *dst.add(p) = luma(px(map[0]), px(map[1]), px(map[2]));
    }
}

/// Fixed-point (Q14) chroma offsets of BT.601 full-range (JFIF) YCbCr → RGB:
/// R = Y + 1.402 V', G = Y − 0.344136 U' − 0.714136 V', B = Y + 1.772 U'
/// (U' = U − 128, V' = V − 128). Because Y·2^14 is a multiple of 2^14, rounding the chroma
/// term alone, `(k·V' + 2^13) >> 14`, equals rounding the whole sum.
const CR_R: i32 = 22970;
const CB_G: i32 = -5638;
const CR_G: i32 = -11700;
const CB_B: i32 = 29032;

#[inline(always)]
fn chroma(u: i32, v: i32) -> (i32, i32, i32) {
    let (u, v) = (u - 128, v - 128);
    ((CR_R * v + 8192) >> 14, (CB_G * u + CR_G * v + 8192) >> 14, (CB_B * u + 8192) >> 14)
}

#[inline(always)]
fn clamp8(x: i32) -> u8 {
    x.clamp(0, 255) as u8
}

/// Chroma offsets (R, G, B) as i16 lanes for 8 VU pairs, given their bytes widened to i16.
#[inline(always)]
fn chroma8(lo: v128, hi: v128, k: v128) -> v128 {
    let bias = i32x4_splat(8192);
    let a = i32x4_shr(i32x4_add(i32x4_dot_i16x8(lo, k), bias), 14);
    let b = i32x4_shr(i32x4_add(i32x4_dot_i16x8(hi, k), bias), 14);
    i16x8_narrow_i32x4(a, b)
}

unsafe fn nv21_to(src: *const u8, w: usize, h: usize, dst: *mut u8, to: u32) {
    if to == GRAY {
        // The Y plane is the BT.601 luma already.
        core::ptr::copy_nonoverlapping(src, dst, w * h);
        return;
    }
    let out_ch = channels(to).unwrap_or(4);
    let vu = src.add(w * h);
    let stride = 2 * ((w + 1) / 2);
    // RGBA → requested layout, reusing the generic pixel shuffle for RGB/BGR.
    let shuf = Shuf::new(4, out_ch, channel_map(RGBA, to));
    let k128 = i16x8_splat(128);
    // dot_i16x8 pairs lanes (V', U'): weights in the same order.
    let kr = i32x4_splat((CR_R & 0xFFFF) | (0 << 16));
    let kg = i32x4_splat((CR_G & 0xFFFF) | (CB_G << 16));
    let kb = i32x4_splat(0 | (CB_B << 16));
    let opaque = u8x16_splat(255);
    for y in 0..h {
        let yrow = src.add(y * w);
        let crow = vu.add((y / 2) * stride);
        let drow = dst.add(y * w * out_ch);
        let blocks = w / 16;
        for b in 0..blocks {
            let x = b * 16;
            let c = v128_load(crow.add(x) as *const v128);
            let clo = i16x8_sub(u16x8_extend_low_u8x16(c), k128);
            let chi = i16x8_sub(u16x8_extend_high_u8x16(c), k128);
            let (r8, g8, b8) = (chroma8(clo, chi, kr), chroma8(clo, chi, kg), chroma8(clo, chi, kb));
            let yv = v128_load(yrow.add(x) as *const v128);
            let (ylo, yhi) = (u16x8_extend_low_u8x16(yv), u16x8_extend_high_u8x16(yv));
            // Each chroma sample covers two horizontally adjacent pixels.
            let plane = |o: v128| {
                let lo = i16x8_shuffle::<0, 0, 1, 1, 2, 2, 3, 3>(o, o);
                let hi = i16x8_shuffle::<4, 4, 5, 5, 6, 6, 7, 7>(o, o);
                u8x16_narrow_i16x8(i16x8_add(ylo, lo), i16x8_add(yhi, hi))
            };
            let (r, g, bl) = (plane(r8), plane(g8), plane(b8));
            let rg_lo = i8x16_shuffle::<0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23>(r, g);
            let rg_hi = i8x16_shuffle::<8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31>(r, g);
            let ba_lo = i8x16_shuffle::<0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23>(bl, opaque);
            let ba_hi = i8x16_shuffle::<8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31>(bl, opaque);
            let px = [
                i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(rg_lo, ba_lo),
                i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(rg_lo, ba_lo),
                i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(rg_hi, ba_hi),
                i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(rg_hi, ba_hi),
            ];
            let d = drow.add(x * out_ch);
            if out_ch == 4 {
                for (k, v) in px.iter().enumerate() {
                    v128_store(d.add(16 * k) as *mut v128, *v);
                }
            } else {
                let out: [v128; 3] = shuf.apply::<4, 3>(&px);
                for (k, v) in out.iter().enumerate() {
                    v128_store(d.add(16 * k) as *mut v128, *v);
                }
            }
        }
        for x in blocks * 16..w {
            let ci = (x / 2) * 2;
            let (ro, go, bo) = chroma(*crow.add(ci + 1) as i32, *crow.add(ci) as i32);
            let yy = *yrow.add(x) as i32;
            let rgba = [clamp8(yy + ro), clamp8(yy + go), clamp8(yy + bo), 255];
            shuf.pixel(rgba.as_ptr(), drow.add(x * out_ch));
        }
    }
}

/// Converts a `width`×`height` frame from format `from` to format `to` (codes: RGBA 0,
/// RGB 1, BGR 2, GRAY 3, NV21 4 — input only). `dst` must hold `width·height·channels(to)`
/// bytes; NV21 input is `w·h + 2·⌈w/2⌉·⌈h/2⌉` bytes (Y plane, then interleaved V,U rows).
/// Returns `OK` or `ERR_ARGS`.
#[no_mangle]
pub unsafe extern "C" fn hmp_convert(src: *const u8, width: u32, height: u32, from: u32, dst: *mut u8, to: u32) -> i32 {
    let (w, h) = (width as usize, height as usize);
    let out_ch = match channels(to) {
        Some(c) => c,
        None => return ERR_ARGS,
    };
    if from == NV21 {
        nv21_to(src, w, h, dst, to);
        return OK;
    }
    let in_ch = match channels(from) {
        Some(c) => c,
        None => return ERR_ARGS,
    };
    let n = w * h;
    let map = channel_map(from, to);
    if to == GRAY {
        if from == GRAY {
            core::ptr::copy_nonoverlapping(src, dst, n);
            return OK;
        }
        let shuf = Shuf::new(in_ch, 4, [map_r(from), 1, map_b(from), OPAQUE]);
        let m = [map_r(from), 1, map_b(from), 0];
        match in_ch {
            4 => to_gray::<4>(src, dst, n, None, m),
            _ => to_gray::<3>(src, dst, n, Some(&shuf), m),
        }
        return OK;
    }
    Shuf::new(in_ch, out_ch, map).run(src, dst, n);
    OK
}

fn map_r(f: u32) -> u8 {
    if f == BGR { 2 } else { 0 }
}

fn map_b(f: u32) -> u8 {
    if f == BGR { 0 } else { 2 }
}
