/** Bad converter input fails with coded errors that name the op, node or shard. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertTfjsModel } from '../../dist/src/convert/tfjs-to-onnx.js';
import { tinyModel } from './fixtures.js';

function codeOf(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected a throw');
}

describe('converter errors', () => {
  it('an unsupported op fails with HMP_ERR_CONVERT_OP_UNSUPPORTED naming the op and the node', () => {
    const m = tinyModel({ extraOp: 'Erfinv' });
    const e = codeOf(() => convertTfjsModel(m.json));
    expect(e.code).toBe('HMP_ERR_CONVERT_OP_UNSUPPORTED');
    expect(e.message).toContain('Erfinv');
    expect(e.message).toContain('odd/node');
    expect(e.message).toContain('model.json');
  });

  it('an unsupported variant of a known op names the variant', () => {
    const m = tinyModel({ extraOp: 'Squeeze' });
    // Squeeze without squeeze_dims on an unknown batch dim cannot be decided statically.
    const e = codeOf(() => convertTfjsModel(m.json));
    expect(e.code).toBe('HMP_ERR_CONVERT_OP_UNSUPPORTED');
    expect(e.message).toMatch(/Squeeze \(.+\) at node odd\/node/);
  });

  it('a missing weight shard fails with HMP_ERR_CONVERT_SHARD_MISSING naming the shard', () => {
    const m = tinyModel();
    rmSync(join(m.dir, 'w.bin'));
    const e = codeOf(() => convertTfjsModel(m.json));
    expect(e.code).toBe('HMP_ERR_CONVERT_SHARD_MISSING');
    expect(e.message).toContain('w.bin');
  });

  it('a short weight shard fails with HMP_ERR_CONVERT_SHARD_SHORT giving both sizes', () => {
    const m = tinyModel({ shardBytes: 20 });
    const e = codeOf(() => convertTfjsModel(m.json));
    expect(e.code).toBe('HMP_ERR_CONVERT_SHARD_SHORT');
    expect(e.message).toContain('20 bytes');
    expect(e.message).toContain('36 bytes');
  });

  it('a file that is not a graph model fails with HMP_ERR_CONVERT_MODEL_INVALID', () => {
    const m = tinyModel();
    const e = codeOf(() => convertTfjsModel(join(m.dir, 'w.bin')));
    expect(e.code).toBe('HMP_ERR_CONVERT_MODEL_INVALID');
    expect(codeOf(() => convertTfjsModel(join(m.dir, 'absent.json'))).code).toBe('HMP_ERR_CONVERT_MODEL_INVALID');
  });
});
