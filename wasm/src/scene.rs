//! Scene monitor kernels: per-block colour, fire/smoke-rule, gradient and hue-order sums plus
//! the 4x4 luma thumbnail of an RGBA frame, in one pass. The TypeScript reference is
//! `blockSums` + `thumbLuma` in src/tasks/scene/{features,stream}.ts; both produce identical
//! integers (sums are exact), so tests compare them for equality.

use crate::{scratch, ERR_ARGS, OK};

/// Sums per block (layout documented in features.ts `SUM`).
const NSUMS: usize = 20;
const EDGE_THRESHOLD: i32 = 48;
const THUMB: usize = 4;

#[inline(always)]
fn luma(p: *const u8) -> i32 {
    // SAFETY: callers pass a pointer to 3 readable bytes.
    unsafe { (77 * *p as i32 + 150 * *p.add(1) as i32 + 29 * *p.add(2) as i32 + 128) >> 8 }
}

/// Block sums and luma thumbnail of an RGBA frame.
///
/// - `rgba`: `w*h*4` bytes; `sums`: `bx*by*20` f64; `thumb`: `(w/4)*(h/4)` f32.
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
    let mut col_block = match scratch::<u32>(w) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let mut yrow = match scratch::<i32>(w) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let mut ynext = match scratch::<i32>(w) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let tw = w / THUMB;
    let th = h / THUMB;
    let mut tacc = match scratch::<u32>(tw.max(1) * th.max(1)) {
        Ok(v) => v,
        Err(e) => return e,
    };
    for x in 0..w {
        col_block[x] = ((x * bx) / w).min(bx - 1) as u32;
    }
    for x in 0..w {
        // SAFETY: x < w; the host validated the buffer holds w*h*4 bytes.
        yrow[x] = luma(unsafe { rgba.add(x * 4) });
    }
    for y in 0..h {
        let rb = ((y * by) / h).min(by - 1);
        let has_next = y + 1 < h;
        if has_next {
            for x in 0..w {
                // SAFETY: (y+1) < h.
                ynext[x] = luma(unsafe { rgba.add(((y + 1) * w + x) * 4) });
            }
        }
        let trow = if y < th * THUMB { Some((y / THUMB) * tw) } else { None };
        for x in 0..w {
            // SAFETY: y < h, x < w.
            let p = unsafe { rgba.add((y * w + x) * 4) };
            let (r, g, b) = unsafe { (*p as i32, *p.add(1) as i32, *p.add(2) as i32) };
            let o = (rb * bx + col_block[x] as usize) * NSUMS;
            let a = &mut acc[o..o + NSUMS];
            let l = yrow[x];
            let mx = r.max(g).max(b);
            let mn = r.min(g).min(b);
            let c = mx - mn;
            a[0] += l as i64;
            a[1] += (l * l) as i64;
            a[2] += c as i64;
            a[3] += (r - g) as i64;
            a[4] += (g - b) as i64;
            if r > 180 && g > 80 && r >= g && g > b && r - b > 90 {
                a[5] += 1;
            }
            if r > 120 && r >= g && g >= b && c > 50 {
                a[6] += 1;
            }
            if r > 220 && g > 180 && b < 200 && r >= b + 25 {
                a[7] += 1;
            }
            if c < 24 && l >= 70 && l <= 230 {
                a[8] += 1;
            }
            if l >= 235 {
                a[9] += 1;
            }
            if l < 35 {
                a[10] += 1;
            }
            let dx = if x + 1 < w { (yrow[x + 1] - l).abs() } else { 0 };
            let dy = if has_next { (ynext[x] - l).abs() } else { 0 };
            let gr = dx + dy;
            a[11] += gr as i64;
            if gr > EDGE_THRESHOLD {
                a[12] += 1;
            }
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
            if let Some(t0) = trow {
                if x < tw * THUMB {
                    tacc[t0 + x / THUMB] += l as u32;
                }
            }
        }
        core::mem::swap(&mut yrow, &mut ynext);
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
