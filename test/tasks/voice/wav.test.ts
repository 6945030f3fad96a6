import { describe, expect, it } from 'vitest';
import { encodeWav, parseWav } from '../../../dist/src/tasks/voice/wav.js';

const code = (c: string, name: string) => expect.objectContaining({ code: c, message: expect.stringContaining(name) });

describe('WAV input', () => {
  it('round-trips mono PCM16 and reads a streamed data size (0x7fffffff) to the last sample', () => {
    const x = Int16Array.from([0, 1, -1, 32767, -32768, 1234]);
    const wav = encodeWav(x, 22050);
    const a = parseWav(wav);
    expect(a.sampleRate).toBe(22050);
    expect(Array.from(new Int16Array(new Uint8Array(a.pcm).buffer))).toEqual(Array.from(x));
    const streamed = wav.slice();
    new DataView(streamed.buffer).setUint32(40, 0x7fffffff, true);
    expect(parseWav(streamed.subarray(0, streamed.length - 1)).pcm.length).toBe(10); // odd tail dropped
  });

  it('rejects non-WAV bytes, stereo, float and out-of-range rates with coded errors', () => {
    expect(() => parseWav(new TextEncoder().encode('hello, not a wav file'), 'file')).toThrow(code('HMP_ERR_VOICE_FORMAT', 'file'));
    const stereo = encodeWav(new Int16Array(8), 16000);
    new DataView(stereo.buffer).setUint16(22, 2, true);
    expect(() => parseWav(stereo, 'file')).toThrow(code('HMP_ERR_VOICE_FORMAT', 'channels'));
    const float = encodeWav(new Int16Array(8), 16000);
    new DataView(float.buffer).setUint16(20, 3, true);
    expect(() => parseWav(float, 'file')).toThrow(code('HMP_ERR_VOICE_FORMAT', 'file'));
    expect(() => parseWav(encodeWav(new Int16Array(8), 96000), 'file')).toThrow(code('HMP_ERR_VOICE_SAMPLE_RATE', 'file sample rate'));
    expect(() => parseWav(encodeWav(new Int16Array(8), 4000), 'file')).toThrow(code('HMP_ERR_VOICE_SAMPLE_RATE', '4000 Hz'));
  });
});
