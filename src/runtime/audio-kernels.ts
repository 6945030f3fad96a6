/**
 * Audio kernels for the voice pipeline: PCM16 little-endian → f32 (int16 scale) and a streaming
 * polyphase windowed-sinc resampler from 8000-48000 Hz to 16 kHz, run in hmp's WASM module
 * (`wasm/src/audio.rs`), with a plain TypeScript reference ({@link refAudioKernels}) that
 * defines the semantics and produces bit-identical output.
 *
 * Why polyphase with exact rational steps: microphone rates are integers, so output `n` sits
 * at input position `n·src/16000` exactly; `16000/gcd` phases cover every fractional offset,
 * and a table of those phases (computed once here, in TS, so WASM and reference share the
 * same coefficients) makes each output one short dot product. Positions are integers, so a
 * stream resampled in chunks of any size gives the same samples as the whole file at once.
 *
 * Streaming state ({@link ResamplerState}) is a plain object of numbers and one Float32Array:
 * it crosses worker threads by structured clone, and is bounded by the filter length plus one
 * chunk.
 * @internal
 */
import { createError } from '../errors.js';
import { findKernelsWasm, instantiateKernels, perThread, WasmScratch, type AllocExports } from './wasm-shared.js';

/** The rate every voice model runs at. */
export const VOICE_RATE = 16000;
/** Zero crossings of the sinc on each side, at the output rate. */
const HALF_ZERO_CROSSINGS = 12;
/** Pass band as a fraction of the lower Nyquist frequency (the rest is transition band). */
const ROLLOFF = 0.9;

/** A resampling filter for one source rate. */
export interface ResamplerDesign {
  srcRate: number;
  /** Input samples advanced per output, as the fraction num/den (reduced). */
  num: number;
  den: number;
  /** Half filter length in input samples; each output uses `2·half` taps. */
  half: number;
  /** `den` phases × `2·half` taps, each phase normalised to unit DC gain. */
  table: Float32Array;
}

/** Streaming resampler state (structured-clone friendly). */
export interface ResamplerState {
  srcRate: number;
  /** Pending input (int16-scale f32) including the filter's history. */
  buf: Float32Array;
  /** Index in `buf` and phase (0..den-1) of the next output. */
  idx: number;
  phase: number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

const designs = new Map<number, ResamplerDesign>();

/** The (cached) filter for `srcRate` → 16 kHz. `srcRate` must be validated by the caller. */
export function resamplerDesign(srcRate: number): ResamplerDesign {
  let d = designs.get(srcRate);
  if (d) return d;
  const g = gcd(srcRate, VOICE_RATE);
  const num = srcRate / g;
  const den = VOICE_RATE / g;
  const ratio = srcRate / VOICE_RATE;
  const scale = Math.max(1, ratio);
  const half = Math.ceil(HALF_ZERO_CROSSINGS * scale);
  const taps = 2 * half;
  // Cut-off in cycles per input sample: below both Nyquist frequencies.
  const fc = (0.5 * ROLLOFF) / scale;
  const table = new Float32Array(den * taps);
  const w = new Float64Array(taps);
  for (let p = 0; p < den; p++) {
    const f = p / den;
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      const x = j - half + 1 - f;
      const a = 2 * fc * x;
      const sinc = a === 0 ? 1 : Math.sin(Math.PI * a) / (Math.PI * a);
      const u = x / half;
      // Blackman window over [-half, half].
      const win = Math.abs(u) >= 1 ? 0 : 0.42 + 0.5 * Math.cos(Math.PI * u) + 0.08 * Math.cos(2 * Math.PI * u);
      w[j] = 2 * fc * sinc * win;
      sum += w[j]!;
    }
    for (let j = 0; j < taps; j++) table[p * taps + j] = w[j]! / sum;
  }
  d = { srcRate, num, den, half, table };
  designs.set(srcRate, d);
  return d;
}

/** Fresh resampler state: the first output sits at input sample 0. */
export function newResamplerState(srcRate: number): ResamplerState {
  if (srcRate === VOICE_RATE) return { srcRate, buf: new Float32Array(0), idx: 0, phase: 0 };
  const { half } = resamplerDesign(srcRate);
  return { srcRate, buf: new Float32Array(half - 1), idx: half - 1, phase: 0 };
}

/** The two primitive operations; WASM and the reference implement the same contract. */
export interface AudioKernelOps {
  /** PCM16 little-endian bytes (even length) → int16-scale f32. */
  pcm16ToF32(bytes: Uint8Array): Float32Array;
  /** `dstLen` outputs of the polyphase filter (see wasm/src/audio.rs for the formula). */
  resamplePoly(src: Float32Array, d: ResamplerDesign, idx0: number, phase0: number, dstLen: number): Float32Array;
}

/** Plain TypeScript reference: the semantics, bit-identical to the WASM kernels. */
export const refAudioKernels: AudioKernelOps = {
  pcm16ToF32(bytes) {
    const n = bytes.length >> 1;
    const out = new Float32Array(n);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, n * 2);
    for (let i = 0; i < n; i++) out[i] = dv.getInt16(2 * i, true);
    return out;
  },
  resamplePoly(src, d, idx0, phase0, dstLen) {
    const out = new Float32Array(dstLen);
    const taps = 2 * d.half;
    let idx = idx0;
    let ph = phase0;
    for (let n = 0; n < dstLen; n++) {
      const base = idx + 1 - d.half;
      const coef = ph * taps;
      let acc = 0;
      for (let j = 0; j < taps; j++) acc += src[base + j]! * d.table[coef + j]!;
      out[n] = acc;
      ph += d.num;
      idx += Math.floor(ph / d.den);
      ph %= d.den;
    }
    return out;
  },
};

/**
 * Feeds PCM16 bytes through a resampler state and returns the 16 kHz samples now available
 * (int16-scale f32). Updates `state` in place and keeps it bounded (history + < 1 output).
 */
export function resampleChunk(k: AudioKernelOps, state: ResamplerState, pcm: Uint8Array): Float32Array {
  const x = k.pcm16ToF32(pcm);
  if (state.srcRate === VOICE_RATE) return x;
  const d = resamplerDesign(state.srcRate);
  const buf = new Float32Array(state.buf.length + x.length);
  buf.set(state.buf);
  buf.set(x, state.buf.length);
  // Outputs n = 0..count-1 need idx_n + half < buf.length, idx_n = idx + floor((phase + n·num)/den).
  const m = buf.length - d.half - 1 - state.idx;
  const count = m < 0 ? 0 : Math.floor(((m + 1) * d.den - 1 - state.phase) / d.num) + 1;
  const out = count > 0 ? k.resamplePoly(buf, d, state.idx, state.phase, count) : new Float32Array(0);
  const adv = state.phase + count * d.num;
  let idx = state.idx + Math.floor(adv / d.den);
  state.phase = adv % d.den;
  // Keep only the history the next output needs.
  const shift = Math.max(0, Math.min(buf.length, idx - (d.half - 1)));
  state.buf = buf.slice(shift);
  state.idx = idx - shift;
  return out;
}

interface AudioExports extends AllocExports {
  hmp_pcm16_to_f32(src: number, n: number, dst: number): number;
  hmp_resample_poly(src: number, srcLen: number, table: number, den: number, half: number, num: number, idx0: number, phase0: number, dst: number, dstLen: number): number;
}

/**
 * The audio kernels on one WebAssembly instance of `hmp_kernels.wasm`. Each call copies its
 * input into a reused scratch block (grown to the largest call), runs, and copies out.
 */
export class WasmAudioKernels implements AudioKernelOps {
  #x: AudioExports;
  #scratch: WasmScratch;
  /** Tables already copied into linear memory, by source rate. */
  #tables = new Map<number, number>();

  private constructor(x: AudioExports) {
    this.#x = x;
    this.#scratch = new WasmScratch(x, 1.5, 65536);
  }

  /** @throws HMP_ERR_WASM_LOAD */
  static async load(path = findKernelsWasm()): Promise<WasmAudioKernels> {
    return new WasmAudioKernels(await instantiateKernels<AudioExports>(path, 'hmp_resample_poly'));
  }

  #table(d: ResamplerDesign): number {
    let p = this.#tables.get(d.srcRate);
    if (p === undefined) {
      p = this.#x.hmp_alloc(d.table.byteLength);
      if (!p) throw createError('HMP_ERR_WASM_ALLOC', d.table.byteLength);
      new Float32Array(this.#x.memory.buffer, p, d.table.length).set(d.table);
      this.#tables.set(d.srcRate, p);
    }
    return p;
  }

  pcm16ToF32(bytes: Uint8Array): Float32Array {
    const n = bytes.length >> 1;
    const inBytes = (n * 2 + 15) & ~15;
    const base = this.#scratch.get(inBytes + n * 4);
    new Uint8Array(this.#x.memory.buffer, base, n * 2).set(bytes.subarray(0, n * 2));
    const rc = this.#x.hmp_pcm16_to_f32(base, n, base + inBytes);
    if (rc !== 0) throw createError('HMP_ERR_WASM_KERNEL', 'hmp_pcm16_to_f32', `status ${rc}`);
    return new Float32Array(this.#x.memory.buffer, base + inBytes, n).slice();
  }

  resamplePoly(src: Float32Array, d: ResamplerDesign, idx0: number, phase0: number, dstLen: number): Float32Array {
    const table = this.#table(d);
    const inBytes = (src.length * 4 + 15) & ~15;
    const base = this.#scratch.get(inBytes + dstLen * 4);
    new Float32Array(this.#x.memory.buffer, base, src.length).set(src);
    const rc = this.#x.hmp_resample_poly(base, src.length, table, d.den, d.half, d.num, idx0, phase0, base + inBytes, dstLen);
    if (rc !== 0) throw createError('HMP_ERR_WASM_KERNEL', 'hmp_resample_poly', `status ${rc}`);
    return new Float32Array(this.#x.memory.buffer, base + inBytes, dstLen).slice();
  }
}

/** The calling thread's audio kernels, instantiated on first use. @throws HMP_ERR_WASM_LOAD */
export const getAudioKernels: () => Promise<WasmAudioKernels> = perThread(() => WasmAudioKernels.load());
