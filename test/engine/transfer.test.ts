import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../dist/src/index.js';

describe('frame buffers cross to workers by transfer', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1, verifyModels: false });
  });
  afterAll(() => engine.dispose());

  it('detaches a transferred ArrayBuffer on the caller side and returns it intact', async () => {
    const frame = new Uint8Array(640 * 480 * 4);
    for (let i = 0; i < frame.length; i++) frame[i] = (i * 31) & 255;
    const buf = frame.buffer;
    const out = await engine.run<{ data: ArrayBuffer }>('core.echo', { data: buf }, { transfer: [buf] });
    expect(buf.byteLength).toBe(0); // transferred, not copied
    const back = new Uint8Array(out.data);
    expect(back.length).toBe(640 * 480 * 4);
    expect(back[12345]).toBe((12345 * 31) & 255);
  });

  it('engine.decode transfers a raw frame that owns its buffer', async () => {
    const data = new Uint8Array(64 * 48 * 4).fill(7);
    const img = await engine.decode({ data, width: 64, height: 48, format: 'rgba' });
    expect(data.buffer.byteLength).toBe(0);
    expect(img.width).toBe(64);
    expect(img.data[100]).toBe(7);
  });

  it('copies (never detaches) a view over part of a larger buffer, such as a pooled Buffer', async () => {
    const big = new Uint8Array(1000 + 16 * 16 * 4).fill(9);
    const view = big.subarray(1000);
    const img = await engine.decode({ data: view, width: 16, height: 16, format: 'rgba' });
    expect(big.buffer.byteLength).toBe(big.length); // caller's memory untouched
    expect(img.data[0]).toBe(9);
  });
});
