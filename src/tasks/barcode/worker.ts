/**
 * Worker handler of `barcode.scan`: decode (or take the raw frame), luminance, region of
 * interest, ladder. Thin: the work lives in image.ts and ladder.ts.
 * @internal
 */
import { performance } from 'node:perf_hooks';
import type { TaskContext } from '../../workers/protocol.js';
import { decodeImage, type ImagePayload } from '../../runtime/image/index.js';
import { loadZxing } from '../../runtime/zxing.js';
import { getEnhanceKernels } from '../../runtime/enhance-kernels.js';
import { crop, toGray } from './image.js';
import { runLadder } from './ladder.js';
import { buildResult, type ScanCodeResult } from './result.js';
import type { ScanConfig } from './options.js';

/** Payload of `barcode.scan`. */
export interface ScanPayload {
  image: ImagePayload;
  config: ScanConfig;
}

/**
 * Instantiates zxing-cpp and the enhancement kernels in this worker (about a second of
 * compilation the first scan would otherwise pay). The engine runs it when the worker starts
 * (the registry's `warmup` export); a scan that arrives first awaits the same promises.
 */
export async function warmup(): Promise<void> {
  await Promise.all([loadZxing(), getEnhanceKernels()]);
}

/** Scans one image. */
export async function scan(payload: ScanPayload, ctx: TaskContext): Promise<ScanCodeResult> {
  const t0 = performance.now();
  const [, enh] = await Promise.all([loadZxing(), getEnhanceKernels()]);
  const img = await decodeImage(payload.image, ctx.config.maxPixels);
  ctx.checkpoint();
  // RGB(A) luminance in WASM (the same bytes as toGray); gray and NV21 are zero-copy views.
  let g = img.format === 'rgba' || img.format === 'rgb' ? enh.luminance(img.data, img.width, img.height, img.format) : toGray(img.data, img.width, img.height, img.format);
  let ox = 0;
  let oy = 0;
  const roi = payload.config.roi;
  if (roi) {
    ox = Math.floor(roi.x * img.width);
    oy = Math.floor(roi.y * img.height);
    g = crop(g, ox, oy, Math.max(1, Math.round(roi.width * img.width)), Math.max(1, Math.round(roi.height * img.height)));
  }
  const { codes, passes } = runLadder(g, payload.config, () => ctx.checkpoint(), enh);
  if (ox !== 0 || oy !== 0) {
    for (const c of codes) for (const p of Object.values(c.position)) { p.x += ox; p.y += oy; }
  }
  return buildResult(codes, img.width, img.height, passes, performance.now() - t0);
}
