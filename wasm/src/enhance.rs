//! Luminance enhancement kernels for the barcode ladder: unsharp mask, local contrast
//! normalisation, box blur and bilinear resampling of 8-bit gray images.
//!
//! The TypeScript reference is src/tasks/barcode/image.ts (`sharpen`, `normalizeLocal`,
//! `blur`, `resize`) and the outputs are byte-identical: window sums are exact integers (a
//! wrapping u32 / u64 integral image gives the exact sum of any window smaller than 2^32 /
//! 2^64), and every floating-point step is the same f64 operation in the same order as the
//! reference, so IEEE rounding agrees. Tests compare the two for equality.

use crate::{scratch, ERR_ARGS, OK};

/// Largest side accepted (the host limits pixels far below this).
const MAX_SIDE: usize = 1 << 15;

fn dims_ok(src: *const u8, dst: *mut u8, w: u32, h: u32) -> bool {
    !src.is_null() && !dst.is_null() && w > 0 && h > 0 && (w as usize) <= MAX_SIDE && (h as usize) <= MAX_SIDE
}

/// Wrapping integral image of `src` (`(w+1)*(h+1)`, first row and column zero).
fn integral(src: &[u8], w: usize, h: usize) -> Result<Vec<u32>, i32> {
    let mut s = scratch::<u32>((w + 1) * (h + 1))?;
    let w1 = w + 1;
    for y in 0..h {
        let mut row: u32 = 0;
        let line = &src[y * w..(y + 1) * w];
        for x in 0..w {
            row = row.wrapping_add(line[x] as u32);
            s[(y + 1) * w1 + x + 1] = s[y * w1 + x + 1].wrapping_add(row);
        }
    }
    Ok(s)
}

/// Wrapping integral image of squares.
fn integral_sq(src: &[u8], w: usize, h: usize) -> Result<Vec<u64>, i32> {
    let mut q = scratch::<u64>((w + 1) * (h + 1))?;
    let w1 = w + 1;
    for y in 0..h {
        let mut row: u64 = 0;
        let line = &src[y * w..(y + 1) * w];
        for x in 0..w {
            let v = line[x] as u64;
            row = row.wrapping_add(v * v);
            q[(y + 1) * w1 + x + 1] = q[y * w1 + x + 1].wrapping_add(row);
        }
    }
    Ok(q)
}

/// Clamped window bounds per column: `[x0, x1)` of a radius-`r` box, as the reference's `boxMean`.
fn bounds(n: usize, r: usize) -> Result<(Vec<u32>, Vec<u32>), i32> {
    let mut lo = scratch::<u32>(n)?;
    let mut hi = scratch::<u32>(n)?;
    for i in 0..n {
        lo[i] = i.saturating_sub(r) as u32;
        hi[i] = (i + r + 1).min(n) as u32;
    }
    Ok((lo, hi))
}

/// Runs `f(x, y, v, window_sum, window_sum_sq, area)` for every pixel and writes its result.
/// `SQ` selects whether the square sums are computed.
fn for_each_window<const SQ: bool>(src: *const u8, w: u32, h: u32, radius: u32, dst: *mut u8, f: impl Fn(f64, f64, f64, f64) -> u8) -> i32 {
    let (w, h, r) = (w as usize, h as usize, radius as usize);
    // SAFETY: the host validated that src and dst hold w*h bytes (src/runtime/enhance-kernels.ts).
    let src = unsafe { core::slice::from_raw_parts(src, w * h) };
    let dst = unsafe { core::slice::from_raw_parts_mut(dst, w * h) };
    let s = match integral(src, w, h) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let q = if SQ {
        match integral_sq(src, w, h) {
            Ok(v) => v,
            Err(e) => return e,
        }
    } else {
        Vec::new()
    };
    let (xl, xh) = match bounds(w, r) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let w1 = w + 1;
    for y in 0..h {
        let y0 = y.saturating_sub(r);
        let y1 = (y + r + 1).min(h);
        let (a, b) = (y0 * w1, y1 * w1);
        let rows = (y1 - y0) as u32;
        for x in 0..w {
            let (x0, x1) = (xl[x] as usize, xh[x] as usize);
            let sum = s[b + x1].wrapping_sub(s[a + x1]).wrapping_sub(s[b + x0]).wrapping_add(s[a + x0]);
            let sq = if SQ { q[b + x1].wrapping_sub(q[a + x1]).wrapping_sub(q[b + x0]).wrapping_add(q[a + x0]) } else { 0 };
            let area = ((x1 - x0) as u32 * rows) as f64;
            dst[y * w + x] = f(src[y * w + x] as f64, sum as f64, sq as f64, area);
        }
    }
    OK
}

#[inline(always)]
fn clamp_u8(o: f64) -> u8 {
    // Same as the reference: `o < 0 ? 0 : o > 255 ? 255 : o`, then truncation on store.
    if o < 0.0 {
        0
    } else if o > 255.0 {
        255
    } else {
        o as u8
    }
}

/// Unsharp mask `out = v + amount * (v - mean_r(v))` (box mean of radius `radius`).
/// `src`, `dst`: `w*h` bytes (distinct). Returns `OK`, `ERR_ARGS` or `ERR_ALLOC`.
#[no_mangle]
pub extern "C" fn hmp_enh_sharpen(src: *const u8, w: u32, h: u32, radius: u32, amount: f64, dst: *mut u8) -> i32 {
    if !dims_ok(src, dst, w, h) || radius as usize > MAX_SIDE || !amount.is_finite() {
        return ERR_ARGS;
    }
    for_each_window::<false>(src, w, h, radius, dst, |v, sum, _, area| clamp_u8(v + amount * (v - sum / area)))
}

/// Local contrast normalisation `128 + 64 * (v - mean) / max(sd, 8)` over a radius-`radius` box.
/// Returns `OK`, `ERR_ARGS` or `ERR_ALLOC`.
#[no_mangle]
pub extern "C" fn hmp_enh_normalize_local(src: *const u8, w: u32, h: u32, radius: u32, dst: *mut u8) -> i32 {
    if !dims_ok(src, dst, w, h) || radius as usize > MAX_SIDE {
        return ERR_ARGS;
    }
    for_each_window::<true>(src, w, h, radius, dst, |v, sum, sq, area| {
        let m = sum / area;
        let m2 = sq / area;
        let d = m2 - m * m;
        let sd = (if d > 0.0 { d } else { 0.0 }).sqrt();
        clamp_u8(128.0 + (64.0 * (v - m)) / (if sd > 8.0 { sd } else { 8.0 }))
    })
}

/// Box blur: rounded mean of the radius-`radius` window. Returns `OK`, `ERR_ARGS` or `ERR_ALLOC`.
#[no_mangle]
pub extern "C" fn hmp_enh_box_blur(src: *const u8, w: u32, h: u32, radius: u32, dst: *mut u8) -> i32 {
    if !dims_ok(src, dst, w, h) || radius as usize > MAX_SIDE {
        return ERR_ARGS;
    }
    for_each_window::<false>(src, w, h, radius, dst, |_, sum, _, area| (sum / area + 0.5) as u8)
}

/// Source index pair and weight of one output coordinate, exactly as the reference computes them.
#[inline(always)]
fn tap(i: usize, step: f64, n: usize) -> (usize, usize, f64) {
    let mut f = (i as f64 + 0.5) * step - 0.5;
    if f < 0.0 {
        f = 0.0;
    }
    let mut i0 = f as usize;
    if n >= 1 && i0 >= n - 1 {
        i0 = n.saturating_sub(2);
    }
    let t = f - i0 as f64;
    (i0, (i0 + 1).min(n - 1), if t < 1.0 { t } else { 1.0 })
}

/// Bilinear resize of a gray image from `w x h` to `dw x dh` (half-pixel centres, edge clamp).
/// Returns `OK`, `ERR_ARGS` or `ERR_ALLOC`.
#[no_mangle]
pub extern "C" fn hmp_enh_resize(src: *const u8, w: u32, h: u32, dst: *mut u8, dw: u32, dh: u32) -> i32 {
    if !dims_ok(src, dst, w, h) || dw == 0 || dh == 0 || dw as usize > MAX_SIDE || dh as usize > MAX_SIDE {
        return ERR_ARGS;
    }
    let (w, h, dw, dh) = (w as usize, h as usize, dw as usize, dh as usize);
    // SAFETY: the host validated src holds w*h and dst dw*dh bytes.
    let src = unsafe { core::slice::from_raw_parts(src, w * h) };
    let dst = unsafe { core::slice::from_raw_parts_mut(dst, dw * dh) };
    let sx = w as f64 / dw as f64;
    let sy = h as f64 / dh as f64;
    let mut xs0 = match scratch::<u32>(dw) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let mut xs1 = match scratch::<u32>(dw) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let mut xt = match scratch::<f64>(dw) {
        Ok(v) => v,
        Err(e) => return e,
    };
    for x in 0..dw {
        let (a, b, t) = tap(x, sx, w);
        xs0[x] = a as u32;
        xs1[x] = b as u32;
        xt[x] = t;
    }
    for y in 0..dh {
        let (y0, y1, ty) = tap(y, sy, h);
        let r0 = &src[y0 * w..y0 * w + w];
        let r1 = &src[y1 * w..y1 * w + w];
        let out = &mut dst[y * dw..(y + 1) * dw];
        for x in 0..dw {
            let (x0, x1, tx) = (xs0[x] as usize, xs1[x] as usize, xt[x]);
            let a = r0[x0] as f64 + (r0[x1] as f64 - r0[x0] as f64) * tx;
            let b = r1[x0] as f64 + (r1[x1] as f64 - r1[x0] as f64) * tx;
            out[x] = (a + (b - a) * ty + 0.5) as u8;
        }
    }
    OK
}

/// Luminance of an RGBA (`channels` 4) or RGB (3) frame with zxing-wasm's BT.601 weights
/// `(306 R + 601 G + 117 B + 512) >> 10`; fully transparent RGBA pixels are white (255), as in
/// ZXing's BufferedImageLuminanceSource. Reference: image.ts `toGray`.
/// Returns `OK` or `ERR_ARGS`.
#[no_mangle]
pub extern "C" fn hmp_enh_luminance(src: *const u8, w: u32, h: u32, channels: u32, dst: *mut u8) -> i32 {
    if !dims_ok(src, dst, w, h) || (channels != 3 && channels != 4) {
        return ERR_ARGS;
    }
    let n = w as usize * h as usize;
    let c = channels as usize;
    // SAFETY: the host validated src holds n*channels and dst n bytes.
    let src = unsafe { core::slice::from_raw_parts(src, n * c) };
    let dst = unsafe { core::slice::from_raw_parts_mut(dst, n) };
    if c == 4 {
        for (o, p) in dst.iter_mut().zip(src.chunks_exact(4)) {
            let l = (306 * p[0] as u32 + 601 * p[1] as u32 + 117 * p[2] as u32 + 512) >> 10;
            *o = if p[3] == 0 { 255 } else { l as u8 };
        }
    } else {
        for (o, p) in dst.iter_mut().zip(src.chunks_exact(3)) {
            *o = ((306 * p[0] as u32 + 601 * p[1] as u32 + 117 * p[2] as u32 + 512) >> 10) as u8;
        }
    }
    OK
}
