/**
 * WAV (RIFF/WAVE) reading and writing for the voice pipeline: mono PCM16 little-endian only,
 * which is what WMPF's RecorderManager (`format: 'PCM'`/`'wav'`), espeak-ng and sox produce.
 */
import { createError } from '../../errors.js';

/** Lowest and highest input sample rates the voice pipeline accepts. */
export const MIN_RATE = 8000;
export const MAX_RATE = 48000;

/** A decoded WAV: its rate and PCM16 LE sample bytes (a view into the input). */
export interface PcmAudio {
  sampleRate: number;
  /** PCM16 little-endian mono bytes (even length). */
  pcm: Uint8Array;
}

/** Checks a stream's sample rate. @throws HMP_ERR_VOICE_SAMPLE_RATE */
export function checkSampleRate(rate: unknown, name: string): number {
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < MIN_RATE || rate > MAX_RATE) {
    throw createError('HMP_ERR_VOICE_SAMPLE_RATE', name, typeof rate === 'number' ? `${rate} Hz` : `a value of type ${typeof rate}`);
  }
  return rate;
}

/** True when the bytes start like a RIFF/WAVE file. */
export function isWav(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, 0) === 'RIFF' && ascii(bytes, 8) === 'WAVE';
}

function ascii(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
}

/**
 * Parses a mono PCM16 WAV. A `data` chunk whose declared size runs past the end of the bytes
 * (streamed WAVs such as `espeak-ng --stdout` declare 0x7fffffff) is read to the last whole
 * sample.
 * @throws HMP_ERR_VOICE_FORMAT, HMP_ERR_VOICE_SAMPLE_RATE
 * @example parseWav(readFileSync('hello.wav')) // { sampleRate: 22050, pcm: Uint8Array(46588) }
 */
export function parseWav(bytes: Uint8Array, name = 'audio'): PcmAudio {
  if (!isWav(bytes)) throw createError('HMP_ERR_VOICE_FORMAT', name, `not a RIFF/WAVE file (${bytes.length} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  while (at + 8 <= bytes.length) {
    const id = ascii(bytes, at);
    const size = dv.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw createError('HMP_ERR_VOICE_FORMAT', name, 'truncated fmt chunk');
      let format = dv.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
      if (format === 0xfffe && size >= 40 && body + 26 <= bytes.length) format = dv.getUint16(body + 24, true);
      fmt = { format, channels: dv.getUint16(body + 2, true), rate: dv.getUint32(body + 4, true), bits: dv.getUint16(body + 14, true) };
    } else if (id === 'data') {
      if (!fmt) throw createError('HMP_ERR_VOICE_FORMAT', name, 'data chunk before fmt chunk');
      if (fmt.format !== 1 || fmt.bits !== 16) throw createError('HMP_ERR_VOICE_FORMAT', name, `WAV format ${fmt.format} with ${fmt.bits} bits per sample; expected PCM (1) with 16`);
      if (fmt.channels !== 1) throw createError('HMP_ERR_VOICE_FORMAT', name, `${fmt.channels} channels; expected mono`);
      checkSampleRate(fmt.rate, `${name} sample rate`);
      const avail = Math.min(size, bytes.length - body) & ~1;
      return { sampleRate: fmt.rate, pcm: bytes.subarray(body, body + avail) };
    }
    at = body + size + (size & 1);
  }
  throw createError('HMP_ERR_VOICE_FORMAT', name, fmt ? 'no data chunk' : 'no fmt chunk');
}

/**
 * Encodes PCM16 samples as a mono WAV file.
 * @example encodeWav(new Int16Array(16000), 16000).length // 32044
 */
export function encodeWav(samples: Int16Array, sampleRate: number): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  const dv = new DataView(out.buffer);
  const put = (at: number, s: string) => { for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i); };
  put(0, 'RIFF');
  dv.setUint32(4, 36 + samples.length * 2, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, 1, true);
  dv.setUint16(22, 1, true);
  dv.setUint32(24, sampleRate, true);
  dv.setUint32(28, sampleRate * 2, true);
  dv.setUint16(32, 2, true);
  dv.setUint16(34, 16, true);
  put(36, 'data');
  dv.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) dv.setInt16(44 + 2 * i, samples[i]!, true);
  return out;
}
