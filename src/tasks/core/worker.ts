/**
 * Built-in tasks: pool plumbing checks (noop, echo), worker introspection (info), image
 * decoding (decode) and running any registered model (model).
 * @internal
 */
import { threadId } from 'node:worker_threads';
import type { TaskContext } from '../../workers/protocol.js';
import { decodeImage, type ImagePayload } from '../../runtime/image/index.js';
import { getSession, loadedModels, ort, runSession } from '../../runtime/onnx.js';
import * as is from '../../is.js';

/** Does nothing: measures pool round-trip overhead. */
export function noop(): null {
  return null;
}

/** Returns the payload; a `data` ArrayBuffer/view is transferred back rather than copied. */
export function echo(payload: unknown, ctx: TaskContext): unknown {
  if (is.isObject(payload)) {
    const d = payload.data;
    if (d instanceof ArrayBuffer) ctx.transfer(d);
    else if (ArrayBuffer.isView(d) && d.buffer instanceof ArrayBuffer) ctx.transfer(d.buffer);
  }
  return payload;
}

/** Versions, thread id and the models this worker has loaded. */
export function info(): { threadId: number; versions: Record<string, string>; models: string[] } {
  return {
    threadId,
    versions: { node: process.versions.node, onnxruntime: ort.env.versions?.common ?? 'unknown', v8: process.versions.v8 },
    models: loadedModels(),
  };
}

/** Decodes an image to RGBA (or passes a raw frame through). */
export async function decode(payload: ImagePayload, ctx: TaskContext) {
  const img = await decodeImage(payload, ctx.config.maxPixels);
  ctx.checkpoint();
  if (img.data.buffer instanceof ArrayBuffer) ctx.transfer(img.data.buffer);
  return img;
}

/** Tensor as it crosses threads. */
export interface TensorData {
  type: 'float32' | 'int32' | 'int64' | 'uint8' | 'int8' | 'bool';
  dims: number[];
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;
}

/** Runs a model of the registry on the given feeds; outputs are transferred back. */
export async function model(payload: { model: string; feeds: Record<string, TensorData> }, ctx: TaskContext) {
  const name = is.string(payload.model, 'model');
  const session = await getSession(ctx.config.modelsDir, name);
  ctx.checkpoint();
  const feeds: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(payload.feeds)) feeds[k] = new ort.Tensor(t.type, t.data as never, t.dims);
  const out = await runSession(name, session, feeds);
  const result: Record<string, TensorData> = {};
  for (const [k, t] of Object.entries(out)) {
    const data = t.data as TensorData['data'];
    result[k] = { type: t.type as TensorData['type'], dims: [...t.dims], data };
    if (data.buffer instanceof ArrayBuffer) ctx.transfer(data.buffer);
  }
  return result;
}
