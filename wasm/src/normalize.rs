//! u8 image → float32 tensor: per-channel `(v − mean) / std`, NHWC or NCHW, optional RGB↔BGR
//! swap and alpha drop, and the fused resize + normalise detectors need.
//!
//! The host passes `scale = f32(1/std)` and `bias = f32(−mean/std)`; each element is
//! `f32(f32(v·scale) + bias)` (separate multiply and add, never a fused multiply-add), which
//! the TypeScript reference reproduces exactly with `Math.fround`. Multiplying by a
//! reciprocal instead of dividing keeps the SIMD loop cheap; it differs from a true
//! division by at most a couple of float32 ulps.

use crate::color::{Shuf, OPAQUE};
use crate::resize::Resizer;
use crate::{scratch, ERR_ARGS, OK};
use core::arch::wasm32::*;

/// `flags` bit: write NCHW planes instead of interleaved NHWC.
const NCHW: u32 = 1;
/// `flags` bit: drop the alpha channel of 4-channel input.
const DROP_ALPHA: u32 = 2;
/// `flags` bit: swap channels 0 and 2 (RGB ↔ BGR) in the output.
const SWAP_RB: u32 = 4;

pub(crate) struct Norm {
    in_ch: usize,
    out_ch: usize,
    nchw: bool,
    map: [u8; 4],
    /// in_ch → out_ch pixel shuffle (NHWC).
    shuf: Shuf,
    /// in_ch → 4-byte pixels with output channels first (NCHW deinterleave).
    shuf4: Shuf,
    scale: [f32; 4],
    bias: [f32; 4],
    /// Scale/bias of f32 vector `q` of an interleaved block is entry `q % 3`: with 3
    /// channels the channel pattern repeats every 12 floats = 3 vectors; with 1 or 4 all
    /// three entries are equal.
    sv: [v128; 3],
    bv: [v128; 3],
}

#[inline(always)]
unsafe fn widen(v: v128) -> [v128; 4] {
    let (lo, hi) = (u16x8_extend_low_u8x16(v), u16x8_extend_high_u8x16(v));
    [
        f32x4_convert_i32x4(u32x4_extend_low_u16x8(lo)),
        f32x4_convert_i32x4(u32x4_extend_high_u16x8(lo)),
        f32x4_convert_i32x4(u32x4_extend_low_u16x8(hi)),
        f32x4_convert_i32x4(u32x4_extend_high_u16x8(hi)),
    ]
}

impl Norm {
    pub(crate) fn new(in_ch: usize, flags: u32, params: &[f32; 8]) -> Option<Norm> {
        if !(in_ch == 1 || in_ch == 3 || in_ch == 4) {
            return None;
        }
        let out_ch = if in_ch == 4 && flags & DROP_ALPHA != 0 { 3 } else { in_ch };
        let mut map = [0u8, 1, 2, 3];
        if flags & SWAP_RB != 0 && in_ch >= 3 {
            map.swap(0, 2);
        }
        let mut m4 = [OPAQUE; 4];
        m4[..out_ch].copy_from_slice(&map[..out_ch]);
        let scale = [params[0], params[1], params[2], params[3]];
        let bias = [params[4], params[5], params[6], params[7]];
        let pat = |a: &[f32; 4], p: usize| {
            let f = |l: usize| a[(4 * p + l) % out_ch];
            f32x4(f(0), f(1), f(2), f(3))
        };
        Some(Norm {
            in_ch,
            out_ch,
            nchw: flags & NCHW != 0 && out_ch > 1,
            map,
            shuf: Shuf::new(in_ch, out_ch, map),
            shuf4: Shuf::new(in_ch, 4, m4),
            scale,
            bias,
            sv: [pat(&scale, 0), pat(&scale, 1), pat(&scale, 2)],
            bv: [pat(&bias, 0), pat(&bias, 1), pat(&bias, 2)],
        })
    }

    #[inline(always)]
    fn one(&self, v: u8, c: usize) -> f32 {
        v as f32 * self.scale[c] + self.bias[c]
    }

    unsafe fn nhwc<const I: usize, const O: usize>(&self, src: *const u8, n: usize, dst: *mut f32) {
        let ident = self.shuf.is_identity();
        let blocks = n / 16;
        for b in 0..blocks {
            let v = Shuf::load::<I>(src.add(b * 16 * I));
            let u: [v128; O] = if ident { core::array::from_fn(|k| v[k % I]) } else { self.shuf.apply::<I, O>(&v) };
            let d = dst.add(b * 16 * O);
            for k in 0..O {
                let f = widen(u[k]);
                for j in 0..4 {
                    let q = 4 * k + j;
                    let x = f32x4_add(f32x4_mul(f[j], self.sv[q % 3]), self.bv[q % 3]);
                    v128_store(d.add(4 * q) as *mut v128, x);
                }
            }
        }
        for p in blocks * 16..n {
            for c in 0..O {
                *dst.add(p * O + c) = self.one(*src.add(p * I + self.map[c] as usize), c);
            }
        }
    }

    unsafe fn nchw<const I: usize, const O: usize>(&self, src: *const u8, n: usize, dst: *mut f32, plane: usize) {
        let ident = I == 4 && self.map[0] == 0;
        let (s, bs): ([v128; O], [v128; O]) =
            (core::array::from_fn(|c| f32x4_splat(self.scale[c])), core::array::from_fn(|c| f32x4_splat(self.bias[c])));
        let mask = u32x4_splat(0xFF);
        let blocks = n / 16;
        for b in 0..blocks {
            let v = Shuf::load::<I>(src.add(b * 16 * I));
            // Four RGBX pixels per vector, output channel c in byte c of each u32 lane.
            let x: [v128; 4] = if ident { core::array::from_fn(|k| v[k % I]) } else { self.shuf4.apply::<I, 4>(&v) };
            for (k, px) in x.iter().enumerate() {
                for c in 0..O {
                    let ch = f32x4_convert_i32x4(v128_and(u32x4_shr(*px, 8 * c as u32), mask));
                    let f = f32x4_add(f32x4_mul(ch, s[c]), bs[c]);
                    v128_store(dst.add(c * plane + b * 16 + 4 * k) as *mut v128, f);
                }
            }
        }
        for p in blocks * 16..n {
            for c in 0..O {
                *dst.add(c * plane + p) = self.one(*src.add(p * I + self.map[c] as usize), c);
            }
        }
    }

    /// Normalises `n` pixels starting at pixel index `px` of a tensor whose planes (NCHW)
    /// hold `plane` elements each.
    pub(crate) unsafe fn run(&self, src: *const u8, n: usize, dst: *mut f32, px: usize, plane: usize) {
        if self.nchw {
            let d = dst.add(px);
            match (self.in_ch, self.out_ch) {
                (4, 4) => self.nchw::<4, 4>(src, n, d, plane),
                (4, 3) => self.nchw::<4, 3>(src, n, d, plane),
                _ => self.nchw::<3, 3>(src, n, d, plane),
            }
        } else {
            let d = dst.add(px * self.out_ch);
            match (self.in_ch, self.out_ch) {
                (4, 4) => self.nhwc::<4, 4>(src, n, d),
                (4, 3) => self.nhwc::<4, 3>(src, n, d),
                (3, 3) => self.nhwc::<3, 3>(src, n, d),
                _ => self.nhwc::<1, 1>(src, n, d),
            }
        }
    }
}

unsafe fn read_params(p: *const f32) -> [f32; 8] {
    let mut a = [0f32; 8];
    core::ptr::copy_nonoverlapping(p, a.as_mut_ptr(), 8);
    a
}

/// Normalises a `w`×`h` image with `c` ∈ {1, 3, 4} channels into `dst` (float32,
/// `w·h·out_c` elements; `out_c` = 3 when 4-channel input drops alpha). `flags`: 1 NCHW,
/// 2 drop alpha, 4 swap R/B. `params`: 8 floats, `scale[4]` then `bias[4]` per output
/// channel. Returns `OK` or `ERR_ARGS`.
#[no_mangle]
pub unsafe extern "C" fn hmp_normalize(src: *const u8, w: u32, h: u32, c: u32, dst: *mut f32, flags: u32, params: *const f32) -> i32 {
    let n = w as usize * h as usize;
    match Norm::new(c as usize, flags, &read_params(params)) {
        Some(norm) => {
            norm.run(src, n, dst, 0, n);
            OK
        }
        None => ERR_ARGS,
    }
}

/// Bilinear resize (see `resize.rs`) of a `sw`×`sh` image with `c` channels to `dw`×`dh`,
/// then normalise as [`hmp_normalize`], one destination row at a time so the intermediate
/// u8 image never exists. Bit-exact with resize followed by normalise.
/// Returns `OK`, `ERR_ARGS` or `ERR_ALLOC`.
#[no_mangle]
pub unsafe extern "C" fn hmp_resize_normalize(
    src: *const u8,
    sw: u32,
    sh: u32,
    c: u32,
    dw: u32,
    dh: u32,
    dst: *mut f32,
    flags: u32,
    params: *const f32,
) -> i32 {
    if sw == 0 || sh == 0 || dw == 0 || dh == 0 {
        return ERR_ARGS;
    }
    let norm = match Norm::new(c as usize, flags, &read_params(params)) {
        Some(n) => n,
        None => return ERR_ARGS,
    };
    let (c, dw, dh) = (c as usize, dw as usize, dh as usize);
    let mut r = match Resizer::new(sw as usize, sh as usize, c, dw, dh) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let mut row = match scratch::<u8>(dw * c) {
        Ok(v) => v,
        Err(e) => return e,
    };
    for dy in 0..dh {
        r.row(src, dy, row.as_mut_ptr());
        norm.run(row.as_ptr(), dw, dst, dy * dw, dw * dh);
    }
    OK
}
