//! Non-maximum suppression over axis-aligned boxes: greedy "hard" NMS, and MediaPipe's
//! weighted NMS (BlazeFace), where each kept box is the score-weighted mean of the cluster
//! it suppresses.
//!
//! Geometry and sums run in f64 from the f32 inputs, in the same order as `kernels-ref.ts`,
//! so both produce identical indices and bit-identical averaged boxes.

use crate::{scratch, ERR_ARGS};

/// A box widened to f64 once, with its area: IoU runs O(n·kept) times, conversions once.
#[derive(Clone, Copy, Default)]
struct B {
    x1: f64,
    y1: f64,
    x2: f64,
    y2: f64,
    area: f64,
}

unsafe fn load(b: *const f32) -> B {
    let (x1, y1, x2, y2) = (*b as f64, *b.add(1) as f64, *b.add(2) as f64, *b.add(3) as f64);
    let (w, h) = (x2 - x1, y2 - y1);
    B { x1, y1, x2, y2, area: if w > 0.0 && h > 0.0 { w * h } else { 0.0 } }
}

// Plain comparisons instead of f64::min/max: those lower to libm calls on wasm32 to honour
// NaN rules the host has already excluded (inputs are finite). Signed zeros may differ from
// Math.min/max but only feed `<= 0` tests, so results cannot.
#[inline(always)]
fn min(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}

#[inline(always)]
fn max(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

/// Intersection over union; 0 when the union is empty (degenerate boxes never suppress).
/// Same operation order as `iouOf` in kernels-ref.ts, so the f64 results are identical.
#[inline(always)]
fn iou(a: &B, b: &B) -> f64 {
    let ix = min(a.x2, b.x2) - max(a.x1, b.x1);
    let iy = min(a.y2, b.y2) - max(a.y1, b.y1);
    if ix <= 0.0 || iy <= 0.0 {
        return 0.0;
    }
    let inter = ix * iy;
    let union = a.area + b.area - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// NMS over `n` boxes (`boxes`: n·4 f32 as x1, y1, x2, y2; `scores`: n f32; optional
/// `extras`: n·k f32 per-box payload such as keypoints, averaged like the box in weighted
/// mode). Boxes scoring below `score_thr` are dropped; a box is suppressed by a higher
/// scoring one when their IoU is strictly greater than `iou_thr`. `method` 0 hard, 1 weighted.
/// Writes up to `max_out` results (original index, box, score, extras) and returns their
/// count, or a negative status (`ERR_ARGS`, `ERR_ALLOC`). Ties in score keep input order.
#[no_mangle]
pub unsafe extern "C" fn hmp_nms(
    boxes: *const f32,
    scores: *const f32,
    n: u32,
    extras: *const f32,
    k: u32,
    iou_thr: f64,
    score_thr: f64,
    max_out: u32,
    method: u32,
    out_idx: *mut i32,
    out_boxes: *mut f32,
    out_scores: *mut f32,
    out_extras: *mut f32,
) -> i32 {
    if method > 1 {
        return ERR_ARGS;
    }
    let (n, k, max_out) = (n as usize, k as usize, max_out as usize);
    let mut order = match scratch::<u32>(n) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let mut len = 0;
    for i in 0..n {
        if *scores.add(i) as f64 >= score_thr {
            order[len] = i as u32;
            len += 1;
        }
    }
    order.truncate(len);
    // Scores are finite (the host checks), so this is a total order.
    order.sort_unstable_by(|&a, &b| {
        let (sa, sb) = (*scores.add(a as usize), *scores.add(b as usize));
        sb.partial_cmp(&sa).unwrap_or(core::cmp::Ordering::Equal).then(a.cmp(&b))
    });
    let mut bf = match scratch::<B>(n) {
        Ok(v) => v,
        Err(e) => return e,
    };
    for &i in &order {
        bf[i as usize] = load(boxes.add(4 * i as usize));
    }
    let bx = |i: u32| boxes.add(4 * i as usize);
    let mut count = 0usize;
    let emit = |count: usize, i: u32| {
        *out_idx.add(count) = i as i32;
        *out_scores.add(count) = *scores.add(i as usize);
    };
    if method == 0 {
        let mut kept = match scratch::<B>(max_out.min(len)) {
            Ok(v) => v,
            Err(e) => return e,
        };
        for &i in &order {
            if count >= max_out {
                break;
            }
            let bi = bf[i as usize];
            if kept[..count].iter().any(|kb| iou(kb, &bi) > iou_thr) {
                continue;
            }
            kept[count] = bi;
            emit(count, i);
            core::ptr::copy_nonoverlapping(bx(i), out_boxes.add(4 * count), 4);
            if k > 0 {
                core::ptr::copy_nonoverlapping(extras.add(k * i as usize), out_extras.add(k * count), k);
            }
            count += 1;
        }
        return count as i32;
    }
    // Weighted: the top remaining box and everything overlapping it form a cluster; the
    // cluster is replaced by its score-weighted mean carrying the top box's score.
    let mut acc = match scratch::<f64>(4 + k) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let mut rest = order;
    let mut next = match scratch::<u32>(rest.len()) {
        Ok(v) => v,
        Err(e) => return e,
    };
    while !rest.is_empty() && count < max_out {
        let top = rest[0];
        let (tb, tf) = (bx(top), bf[top as usize]);
        acc.iter_mut().for_each(|a| *a = 0.0);
        let mut total = 0.0f64;
        let mut m = 0;
        for (pos, &i) in rest.iter().enumerate() {
            if pos == 0 || iou(&tf, &bf[i as usize]) > iou_thr {
                let s = *scores.add(i as usize) as f64;
                total += s;
                let b = bx(i);
                for q in 0..4 {
                    acc[q] += *b.add(q) as f64 * s;
                }
                for q in 0..k {
                    acc[4 + q] += *extras.add(k * i as usize + q) as f64 * s;
                }
            } else {
                next[m] = i;
                m += 1;
            }
        }
        emit(count, top);
        if total > 0.0 {
            for q in 0..4 {
                *out_boxes.add(4 * count + q) = (acc[q] / total) as f32;
            }
            for q in 0..k {
                *out_extras.add(k * count + q) = (acc[4 + q] / total) as f32;
            }
        } else {
            // Zero or negative score mass has no meaningful mean: keep the top box as is.
            core::ptr::copy_nonoverlapping(tb, out_boxes.add(4 * count), 4);
            if k > 0 {
                core::ptr::copy_nonoverlapping(extras.add(k * top as usize), out_extras.add(k * count), k);
            }
        }
        count += 1;
        core::mem::swap(&mut rest, &mut next);
        rest.truncate(m);
        next.resize(rest.len(), 0);
    }
    count as i32
}
