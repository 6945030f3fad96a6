/**
 * One frame through the scene pipeline, independent of threads: analysis-size RGBA in,
 * scores, regions, stream features and tamper evidence out. The worker handler calls it;
 * so do the CLI's evaluation and the benchmarks (same code, no pool in between).
 * @internal
 */
import { NFEAT, NFRAME, NSUMS, blockFeatures, blockSums } from './features.js';
import { regionsOf, scoreFrame, type SceneModel, type SceneRegion } from './model.js';
import { streamStep, thumbLuma, THUMB, type StreamFeatures, type StreamState } from './stream.js';

/** The kernels a frame needs: WASM in production, the TS reference in tests. */
export interface SceneKernelOps {
  /** Block sums (features.ts layout) and the 4x4 luma thumbnail of an RGBA frame. */
  blockSums(rgba: Uint8Array, W: number, H: number, bx: number, by: number, sums: Float64Array, thumb: Float32Array): void;
}

/** The plain TypeScript kernels (reference semantics). */
export const refSceneKernels: SceneKernelOps = {
  blockSums(rgba, W, H, bx, by, sums, thumb) {
    blockSums(rgba, W, H, { bx, by }, sums);
    thumbLuma(rgba, W, H, thumb);
  },
};

/** What analysis of one frame yields. */
export interface FrameAnalysis {
  scores: { fire: number; smoke: number };
  regions: SceneRegion[];
  /** Per-block probabilities, row-major. */
  blocks: { fire: Float32Array; smoke: Float32Array };
  stream: StreamFeatures | null;
}

/** Reusable buffers for one analysis size. */
export interface Scratch {
  sums: Float64Array;
  thumb: Float32Array;
  feats: Float32Array;
  fv: Float32Array;
}

export function newScratch(W: number, H: number, nb: number): Scratch {
  return {
    sums: new Float64Array(nb * NSUMS),
    thumb: new Float32Array(Math.floor(W / THUMB) * Math.floor(H / THUMB)),
    feats: new Float32Array(nb * NFEAT),
    fv: new Float32Array(NFRAME),
  };
}

/**
 * Analyses one RGBA frame of W x H (the analysis size; the model was trained at 320x240). With a stream state the state advances (stream
 * features and tamper evidence); without one the frame is scored on its own.
 */
export function analyzeFrame(k: SceneKernelOps, model: SceneModel, rgba: Uint8Array, W: number, H: number, state: StreamState | null, dtMs: number, scratch?: Scratch): FrameAnalysis {
  const { grid } = model.file.spec;
  const nb = grid.bx * grid.by;
  const s = scratch ?? newScratch(W, H, nb);
  k.blockSums(rgba, W, H, grid.bx, grid.by, s.sums, s.thumb);
  blockFeatures(s.sums, grid, s.feats);
  const sc = scoreFrame(model, s.feats, s.sums, nb, s.fv);
  const th = model.file.thresholds;
  const regions = [
    ...(sc.fire >= th.fire ? regionsOf('fire', sc.fireBlocks, grid, th.block) : []),
    ...(sc.smoke >= th.smoke ? regionsOf('smoke', sc.smokeBlocks, grid, th.block) : []),
  ];
  const stream = state ? streamStep(state, s.sums, s.thumb, W, H, grid, dtMs) : null;
  return { scores: { fire: sc.fire, smoke: sc.smoke }, regions, blocks: { fire: sc.fireBlocks, smoke: sc.smokeBlocks }, stream };
}
