import { describe, expect, it } from 'vitest';
import { WasmAudioKernels, refAudioKernels, newResamplerState, resampleChunk } from '../../../dist/src/runtime/audio-kernels.js';

/** PCM16 bytes of a sine at `hz` (amplitude 10000) plus a seeded pseudo-random component. */
function signal(rate: number, seconds: number, hz: number): Uint8Array {
  const n = Math.round(rate * seconds);
  const x = new Int16Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = Math.round(10000 * Math.sin((2 * Math.PI * hz * i) / rate) + ((s >>> 16) % 2000) - 1000);
  }
  return new Uint8Array(x.buffer);
}

function run(k: typeof refAudioKernels, rate: number, pcm: Uint8Array, chunk: number): Float32Array {
  const st = newResamplerState(rate);
  const parts: Float32Array[] = [];
  for (let i = 0; i < pcm.length; i += chunk) parts.push(resampleChunk(k, st, pcm.subarray(i, Math.min(pcm.length, i + chunk))));
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

describe('resampling 8-48 kHz to 16 kHz (WASM kernel vs TypeScript reference)', () => {
  for (const rate of [8000, 11025, 16000, 22050, 32000, 44100, 48000]) {
    it(`${rate} Hz: WASM is bit-identical to the reference and chunking does not change the output`, async () => {
      const k = await WasmAudioKernels.load();
      const pcm = signal(rate, 0.5, 440);
      const whole = run(refAudioKernels, rate, pcm, pcm.length);
      const wasm = run(k, rate, pcm, 2 * 333); // odd sample counts per chunk
      expect(wasm).toEqual(whole);
      // Outputs so far: every 16 kHz sample whose filter support is inside the input.
      expect(Math.abs(whole.length - (pcm.length / 2) * (16000 / rate))).toBeLessThan(40);
    });
  }

  it('keeps a 1 kHz tone and removes a 12 kHz tone when downsampling 48 kHz', async () => {
    const k = await WasmAudioKernels.load();
    const tone = (hz: number) => {
      const x = new Int16Array(48000);
      for (let i = 0; i < x.length; i++) x[i] = Math.round(10000 * Math.sin((2 * Math.PI * hz * i) / 48000));
      const y = run(k, 48000, new Uint8Array(x.buffer), 4096);
      const mid = y.subarray(2000, 14000);
      return Math.sqrt(mid.reduce((a, v) => a + v * v, 0) / mid.length);
    };
    expect(tone(1000)).toBeCloseTo(10000 / Math.SQRT2, -2); // within ~50 of 7071
    expect(tone(12000)).toBeLessThan(10); // > 60 dB down: no aliasing into the 4 kHz band
  });

  it('pcm16ToF32 decodes little-endian samples at int16 scale', async () => {
    const k = await WasmAudioKernels.load();
    const b = new Uint8Array([0x00, 0x80, 0xff, 0x7f, 0x01, 0x00, 0xff, 0xff]);
    expect(Array.from(k.pcm16ToF32(b))).toEqual([-32768, 32767, 1, -1]);
    expect(Array.from(refAudioKernels.pcm16ToF32(b))).toEqual([-32768, 32767, 1, -1]);
  });
});
