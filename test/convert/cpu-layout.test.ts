/**
 * The exact CPU layout rewrites (src/convert/cpu-layout.ts): the shipped BlazeFace models
 * (channels padded to multiples of 16, NCHW input) give the same outputs as the files in the
 * keijiro package on a real photo, the padded graph has no unblocked residual Adds left, and
 * graphs the rewrite cannot handle get a coded error instead of a wrong model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { MODEL_SOURCES } from '../../dist/src/convert/sources.js';
import { sourcePath } from '../../dist/src/convert/build.js';
import { optimizeForCpu } from '../../dist/src/convert/cpu-layout.js';
import { decodeModel, OnnxGraphBuilder } from '../../dist/src/convert/onnx-builder.js';
import { createSessionFromFile, ort } from '../../dist/src/runtime/onnx.js';
import { loadRgb } from '../../dist/src/runtime/face-images.js';

// A real photo shipped in a devDependency (face-api's demo images; several faces).
const PHOTO = join(ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo', 'sample2.jpg');

async function photoInput(S: number): Promise<{ nhwc: Float32Array; nchw: Float32Array }> {
  const img = await loadRgb(PHOTO, { resize: { width: S, height: S } });
  const nhwc = new Float32Array(S * S * 3);
  const nchw = new Float32Array(S * S * 3);
  for (let i = 0; i < S * S; i++) {
    for (let c = 0; c < 3; c++) {
      const v = (img.data[3 * i + c] as number) / 127.5 - 1;
      nhwc[3 * i + c] = v;
      nchw[c * S * S + i] = v;
    }
  }
  return { nhwc, nchw };
}

describe('CPU layout rewrites', () => {
  for (const [name, S] of [['blazeface-back', 256], ['blazeface-front', 128]] as const) {
    it(`${name}: the shipped model matches the package's on a real photo`, async () => {
      const source = MODEL_SOURCES.find((s) => s.name === name)!;
      expect(source.cpuLayout).toEqual({ padChannels: 16, nchwInput: true });
      const original = await ort.InferenceSession.create(readFileSync(sourcePath(ROOT, source)));
      const shipped = await createSessionFromFile(join(ROOT, 'models', source.file));
      const x = await photoInput(S);
      const want = await original.run({ 'input:0': new ort.Tensor('float32', x.nhwc, [1, S, S, 3]) });
      const got = await shipped.run({ 'input:0': new ort.Tensor('float32', x.nchw, [1, 3, S, S]) });
      for (const k of Object.keys(want)) {
        const a = want[k]!.data as Float32Array;
        const b = got[k]!.data as Float32Array;
        expect(b.length).toBe(a.length);
        let diff = 0;
        let max = 0;
        for (let i = 0; i < a.length; i++) {
          diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
          max = Math.max(max, Math.abs(a[i]!));
        }
        expect(max).toBeGreaterThan(1); // real activations, not a dead output
        expect(diff).toBeLessThan(1e-5 * max + 1e-5);
      }
      await original.release();
      await shipped.release();
    });
  }

  it('pads every channel count of BlazeFace back to a multiple of 16 and drops the input transpose', () => {
    const m = decodeModel(readFileSync(join(ROOT, 'models', 'blazeface-back.onnx')));
    const inits = new Map(m.graph!.initializer!.map((t) => [t.name, t]));
    const convs = m.graph!.node!.filter((n) => n.opType === 'Conv');
    // Every Conv feeding the residual blocks has a 16-aligned width; only the 4 heads keep theirs (2, 6, 16, 32).
    const widths = convs.map((n) => Number(inits.get(n.input![1])!.dims![0]));
    expect(widths.filter((w) => w % 16 !== 0).sort((a, b) => a - b)).toEqual([2, 6]);
    expect(m.graph!.node!.some((n) => n.opType === 'Concat' || n.opType === 'ConstantOfShape')).toBe(false);
    expect(m.graph!.node![0]!.opType).toBe('Conv');
    expect(m.graph!.input![0]!.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([1, 3, 256, 256]);
  });

  it('rejects graphs it cannot rewrite exactly with HMP_ERR_CONVERT_LAYOUT', () => {
    // A 24-channel Conv whose output goes through a Sigmoid (sigmoid(0) = 0.5: zero padding would not stay zero).
    const b = new OnnxGraphBuilder({ graphName: 'bad' });
    b.addInput('x', 'float32', [1, 3, 8, 8]);
    const w = b.addInitializer('w', { type: 'float32', dims: [24, 3, 1, 1], data: new Float32Array(72).fill(0.1) });
    b.addNode('Conv', ['x', w], ['y']);
    b.addNode('Relu', ['y'], ['r']);
    b.addNode('Sigmoid', ['r'], ['s']);
    b.addOutput('s', 'float32', [1, 24, 8, 8]);
    expect(() => optimizeForCpu(b.serialize(), { padChannels: 16 })).toThrow(expect.objectContaining({ code: 'HMP_ERR_CONVERT_LAYOUT' }));
    // No NHWC→NCHW transpose in front: the input cannot be switched to NCHW.
    expect(() => optimizeForCpu(b.serialize(), { nchwInput: true })).toThrow(expect.objectContaining({ code: 'HMP_ERR_CONVERT_LAYOUT' }));
  });
});
