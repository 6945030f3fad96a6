//! Audio kernels for the voice pipeline: PCM16 → f32 conversion and a polyphase
//! windowed-sinc resampler (8-48 kHz → 16 kHz).
//!
//! The filter table is computed by the host (`src/runtime/audio-kernels.ts`) so the WASM
//! kernel and the TypeScript reference share the exact same coefficients; the kernel only
//! runs the dot products, in f64 and in the same order as the reference, so both produce
//! bit-identical output.

use crate::ERR_ARGS;

/// Converts `n` little-endian PCM16 samples at `src` to f32 at `dst`, keeping int16 scale
/// (openWakeWord's melspectrogram expects raw int16 values as floats).
#[no_mangle]
pub extern "C" fn hmp_pcm16_to_f32(src: *const u8, n: usize, dst: *mut f32) -> i32 {
    if (src.is_null() || dst.is_null()) && n > 0 {
        return ERR_ARGS;
    }
    for i in 0..n {
        // SAFETY: the host allocated 2n bytes at src and n f32 at dst.
        unsafe {
            let lo = *src.add(2 * i) as u16;
            let hi = *src.add(2 * i + 1) as u16;
            *dst.add(i) = ((lo | (hi << 8)) as i16) as f32;
        }
    }
    0
}

/// Polyphase resampling of `src` (`src_len` f32) into `dst` (`dst_len` f32).
///
/// Output `n` sits at input position `idx + phase/den`, starting from (`idx0`, `phase0`) and
/// advancing by `num/den` input samples per output. Each output is
/// `sum_j src[idx - half + 1 + j] * table[phase * taps + j]` for `j < taps` (`taps = 2·half`),
/// accumulated in f64. The host guarantees every tap index is inside `src`; the kernel checks
/// the first and last output up front and returns `ERR_ARGS` otherwise.
#[no_mangle]
pub extern "C" fn hmp_resample_poly(
    src: *const f32,
    src_len: usize,
    table: *const f32,
    den: u32,
    half: u32,
    num: u32,
    idx0: u32,
    phase0: u32,
    dst: *mut f32,
    dst_len: usize,
) -> i32 {
    if den == 0 || half == 0 || num == 0 || phase0 >= den || src.is_null() || table.is_null() {
        return ERR_ARGS;
    }
    if dst_len == 0 {
        return 0;
    }
    if dst.is_null() {
        return ERR_ARGS;
    }
    let taps = 2 * half as usize;
    let (num, den) = (num as u64, den as u64);
    // Last output position: idx0 + (phase0 + (dst_len-1)·num) / den.
    let last = idx0 as u64 + (phase0 as u64 + (dst_len as u64 - 1) * num) / den;
    if (idx0 as u64) + 1 < half as u64 || last + half as u64 >= src_len as u64 {
        return ERR_ARGS;
    }
    let mut idx = idx0 as usize;
    let mut ph = phase0 as u64;
    for n in 0..dst_len {
        let base = idx + 1 - half as usize;
        let coef = ph as usize * taps;
        let mut acc = 0.0f64;
        for j in 0..taps {
            // SAFETY: indices validated above against src_len and den·taps table entries.
            unsafe {
                acc += *src.add(base + j) as f64 * *table.add(coef + j) as f64;
            }
        }
        // SAFETY: n < dst_len.
        unsafe { *dst.add(n) = acc as f32 };
        ph += num;
        idx += (ph / den) as usize;
        ph %= den;
    }
    0
}
