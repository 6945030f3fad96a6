/**
 * Scene task handlers (thin): decode, bring to the analysis size, run the pipeline, hand the
 * stream state back. The state travels with each frame (see index.ts for why).
 * @internal
 */
import type { TaskContext } from '../../workers/protocol.js';
import { decodeImage, type ImagePayload } from '../../runtime/image/index.js';
import { encodeSnapshot, getSceneKernels } from '../../runtime/scene-kernels.js';
import { toAnalysisRgba } from './features.js';
import { loadSceneModel } from './model.js';
import { analyzeFrame, newScratch, type Scratch } from './analyze.js';
import type { StreamState } from './stream.js';
import { frameResultOf, stateBuffers, type WorkerFrameResult } from './types.js';

/** Payload of the `scene.frame` task. */
export interface SceneFramePayload {
  image: ImagePayload;
  /** The session's stream state, or null to score the frame on its own (`--still`). */
  state: StreamState | null;
  width: number;
  height: number;
  dtMs: number;
  /** Encode a JPEG snapshot of this frame (the session asks while evidence builds up). */
  snapshot: boolean;
  snapshotWidth: number;
}

const scratches = new Map<string, Scratch>();

/** Analyses one frame of a scene stream (or a still image). */
export async function frame(p: SceneFramePayload, ctx: TaskContext): Promise<WorkerFrameResult> {
  const model = loadSceneModel(ctx.config.modelsDir);
  const k = await getSceneKernels();
  const img = await decodeImage(p.image, ctx.config.maxPixels);
  ctx.checkpoint();
  const t0 = performance.now();
  const W = p.width, H = p.height;
  const rgba = img.format === 'rgba' && img.width === W && img.height === H ? img.data : toAnalysisRgba(img.data, img.width, img.height, img.format, W, H);
  const key = `${W}x${H}`;
  let s = scratches.get(key);
  if (!s) scratches.set(key, (s = newScratch(W, H, model.file.spec.grid.bx * model.file.spec.grid.by)));
  const a = analyzeFrame(k, model, rgba, W, H, p.state, p.dtMs, s);
  const ms = performance.now() - t0;
  ctx.checkpoint();
  const snapshot = p.snapshot ? await encodeSnapshot(rgba, W, H, p.snapshotWidth) : undefined;
  const out = frameResultOf(a, p.state, ms, snapshot);
  if (p.state) ctx.transfer(...stateBuffers(p.state));
  if (snapshot && snapshot.buffer instanceof ArrayBuffer && snapshot.byteLength === snapshot.buffer.byteLength) ctx.transfer(snapshot.buffer);
  return out;
}
