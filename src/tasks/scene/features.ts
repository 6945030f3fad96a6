/**
 * Scene features: the plain TypeScript reference of the WASM kernels in wasm/src/scene.rs.
 *
 * A frame at the analysis resolution (RGBA, W x H) is cut into a fixed grid of blocks
 * (default 8 x 6). For every block the kernel accumulates integer sums over its pixels
 * (luma, chroma, channel differences, classic fire/smoke colour-rule hits, gradient energy,
 * a chroma-weighted hue-order histogram); {@link blockFeatures} turns those sums into the
 * per-block feature vectors the classifier reads. Sums are integers so the WASM kernel and
 * this reference agree exactly, not within a tolerance.
 *
 * Stream features (motion, edge loss against the background, flicker, upward drift) and the
 * tamper measures live in stream.ts; they need state, these do not.
 * @internal
 */

/** Number of integer sums the kernel produces per block (see {@link SUM}). */
export const NSUMS = 52;

/** Indices into one block's sums. */
export const SUM = {
  y: 0, y2: 1, c: 2, rg: 3, gb: 4, fireA: 5, fireB: 6, hot: 7, grey: 8, bright: 9, dark: 10, grad: 11, edge: 12,
  /** six chroma-weighted hue-order bins: r>=g>=b, g>r>=b, g>=b>r, b>g>=r, b>=r>g, r>b>g */
  hue0: 13, n: 19,
  /**
   * 32-bin colour histogram (pixel counts) of the two warm hue orders: bin =
   * 16·sector + 4·(luma >> 6) + chroma bin, sector 0 = r>=g>=b, 1 = r>b>g; chroma bins
   * < 32, < 80, < 160, >= 160. Other hue orders are not counted.
   */
  hist0: 20,
} as const;

/** Bins of the per-block warm colour histogram ({@link SUM}.hist0). */
export const NHIST = 32;

/** The histogram bin of one pixel (0..31), or -1 outside the two warm hue orders. */
export function warmBin(r: number, g: number, b: number, l: number, c: number): number {
  const sector = r >= g && g >= b ? 0 : r > b && b > g ? 16 : -1;
  if (sector < 0) return -1;
  return sector + 4 * (l >> 6) + (c < 32 ? 0 : c < 80 ? 1 : c < 160 ? 2 : 3);
}

/** Gradient (|dx|+|dy| of luma) above which a pixel counts as an edge. */
export const EDGE_THRESHOLD = 48;

/** Block grid of the analysis image. */
export interface Grid {
  /** Blocks across. */
  bx: number;
  /** Blocks down. */
  by: number;
}

/** Luma as the kernels compute it (BT.601 weights, integer). */
export const luma = (r: number, g: number, b: number): number => (77 * r + 150 * g + 29 * b + 128) >> 8;

/**
 * Integer per-block sums over an RGBA image. `out` gets `bx*by*NSUMS` values (Float64 so the
 * sums of squares never overflow). Block b covers columns [floor(bxi*W/bx), floor((bxi+1)*W/bx)).
 */
export function blockSums(rgba: Uint8Array, W: number, H: number, grid: Grid, out: Float64Array): void {
  const { bx, by } = grid;
  out.fill(0, 0, bx * by * NSUMS);
  // Column -> block-column lookup; rows are mapped on the fly.
  const colBlock = new Int32Array(W);
  for (let x = 0; x < W; x++) colBlock[x] = Math.min(bx - 1, Math.floor((x * bx) / W));
  const yRow = new Int32Array(W);
  const yNext = new Int32Array(W);
  const rowLuma = (y: number, dst: Int32Array) => {
    let p = y * W * 4;
    for (let x = 0; x < W; x++, p += 4) dst[x] = (77 * rgba[p] + 150 * rgba[p + 1] + 29 * rgba[p + 2] + 128) >> 8;
  };
  rowLuma(0, yRow);
  for (let y = 0; y < H; y++) {
    const rb = Math.min(by - 1, Math.floor((y * by) / H));
    const hasNext = y + 1 < H;
    if (hasNext) rowLuma(y + 1, yNext);
    let p = y * W * 4;
    for (let x = 0; x < W; x++, p += 4) {
      const r = rgba[p], g = rgba[p + 1], b = rgba[p + 2];
      const o = (rb * bx + colBlock[x]) * NSUMS;
      const l = yRow[x];
      const mx = r > g ? (r > b ? r : b) : g > b ? g : b;
      const mn = r < g ? (r < b ? r : b) : g < b ? g : b;
      const c = mx - mn;
      out[o] += l;
      out[o + 1] += l * l;
      out[o + 2] += c;
      out[o + 3] += r - g;
      out[o + 4] += g - b;
      // Classic flame rules (Chen et al. 2004 style): red dominant, ordered R >= G > B.
      if (r > 180 && g > 80 && r >= g && g > b && r - b > 90) out[o + 5] += 1;
      if (r > 120 && r >= g && g >= b && c > 50) out[o + 6] += 1;
      // Flame cores saturate the sensor: near-white with a warm cast.
      if (r > 220 && g > 180 && b < 200 && r >= b + 25) out[o + 7] += 1;
      // Smoke: low chroma at mid-high luma.
      if (c < 24 && l >= 70 && l <= 230) out[o + 8] += 1;
      if (l >= 235) out[o + 9] += 1;
      if (l < 35) out[o + 10] += 1;
      const dx = x + 1 < W ? Math.abs(yRow[x + 1] - l) : 0;
      const dy = hasNext ? Math.abs(yNext[x] - l) : 0;
      const gr = dx + dy;
      out[o + 11] += gr;
      if (gr > EDGE_THRESHOLD) out[o + 12] += 1;
      let h: number;
      if (r >= g) h = g >= b ? 0 : r > b ? 5 : 4;
      else h = r >= b ? 1 : g >= b ? 2 : 3;
      out[o + 13 + h] += c;
      out[o + 19] += 1;
      const wb = warmBin(r, g, b, l, c);
      if (wb >= 0) out[o + 20 + wb] += 1;
    }
    yRow.set(yNext);
  }
}

/** Names of the per-block features, in order (documentation and model files). */
export const BLOCK_FEATURE_NAMES: readonly string[] = Object.freeze([
  'meanY', 'stdY', 'meanC', 'rMinusG', 'gMinusB', 'fireA', 'fireB', 'hot', 'grey', 'bright', 'dark', 'grad', 'edge',
  'hue0', 'hue1', 'hue2', 'hue3', 'hue4', 'hue5',
  'relY', 'logRelGrad', 'relC', 'relGrey', 'nbFireB', 'nbGrey', 'nbHot',
  'gMeanY', 'gStdY', 'gMeanC', 'gRG', 'gGB', 'gFireA', 'gFireB', 'gHot', 'gGrey', 'gBright', 'gDark', 'gGrad', 'gEdge',
  'gHue0', 'gHue1', 'gHue2', 'gHue3', 'gHue4', 'gHue5', 'gMaxFireA', 'gMaxFireB', 'gMaxHot', 'gMaxGrey', 'gContrast',
]);
/** Length of one block's feature vector. */
export const NFEAT = BLOCK_FEATURE_NAMES.length;
const NLOCAL = 19;

/**
 * Per-block feature vectors from the sums: the block's own statistics, the same relative to
 * the frame (blur- and exposure-invariant ratios), its 8-neighbourhood, and the frame's
 * global statistics (so one tree model sees context). `out` gets `bx*by*NFEAT` values.
 */
export function blockFeatures(sums: Float64Array, grid: Grid, out: Float32Array): void {
  const { bx, by } = grid;
  const nb = bx * by;
  const local = new Float64Array(nb * NLOCAL);
  let totN = 0, totY = 0, totY2 = 0;
  for (let b = 0; b < nb; b++) {
    const s = b * NSUMS;
    const n = Math.max(1, sums[s + 19]);
    totN += sums[s + 19]; totY += sums[s]; totY2 += sums[s + 1];
    const my = sums[s] / n;
    const l = b * NLOCAL;
    local[l] = my / 255;
    local[l + 1] = Math.sqrt(Math.max(0, sums[s + 1] / n - my * my)) / 255;
    local[l + 2] = sums[s + 2] / n / 255;
    local[l + 3] = sums[s + 3] / n / 255;
    local[l + 4] = sums[s + 4] / n / 255;
    for (let k = 5; k <= 10; k++) local[l + k] = sums[s + k] / n;
    local[l + 11] = sums[s + 11] / n / 255;
    local[l + 12] = sums[s + 12] / n;
    const cs = sums[s + 2] + 1;
    for (let k = 0; k < 6; k++) local[l + 13 + k] = sums[s + 13 + k] / cs;
  }
  const gmean = new Float64Array(NLOCAL);
  const gmax = new Float64Array(4);
  for (let b = 0; b < nb; b++) {
    for (let k = 0; k < NLOCAL; k++) gmean[k] += local[b * NLOCAL + k] / nb;
    gmax[0] = Math.max(gmax[0], local[b * NLOCAL + 5]);
    gmax[1] = Math.max(gmax[1], local[b * NLOCAL + 6]);
    gmax[2] = Math.max(gmax[2], local[b * NLOCAL + 7]);
    gmax[3] = Math.max(gmax[3], local[b * NLOCAL + 8]);
  }
  const gm = totY / Math.max(1, totN);
  const contrast = Math.sqrt(Math.max(0, totY2 / Math.max(1, totN) - gm * gm)) / 255;
  // Median block gradient: the frame's own sharpness scale, so relative edge energy does not
  // depend on focus or compression (the dataset's fire frames are blurrier than its normal ones).
  const grads = new Float64Array(nb);
  for (let b = 0; b < nb; b++) grads[b] = local[b * NLOCAL + 11];
  grads.sort();
  const medGrad = nb % 2 ? grads[(nb - 1) >> 1] : (grads[nb / 2 - 1] + grads[nb / 2]) / 2;
  for (let j = 0; j < by; j++) {
    for (let i = 0; i < bx; i++) {
      const b = j * bx + i;
      const l = b * NLOCAL;
      const o = b * NFEAT;
      for (let k = 0; k < NLOCAL; k++) out[o + k] = local[l + k];
      out[o + 19] = local[l] - gmean[0];
      out[o + 20] = Math.log((local[l + 11] + 0.002) / (medGrad + 0.002));
      out[o + 21] = local[l + 2] - gmean[2];
      out[o + 22] = local[l + 8] - gmean[8];
      let nf = 0, ng = 0, nh = 0, cnt = 0;
      for (let dj = -1; dj <= 1; dj++) {
        for (let di = -1; di <= 1; di++) {
          if (!di && !dj) continue;
          const ii = i + di, jj = j + dj;
          if (ii < 0 || jj < 0 || ii >= bx || jj >= by) continue;
          const q = (jj * bx + ii) * NLOCAL;
          nf = Math.max(nf, local[q + 6]);
          nh = Math.max(nh, local[q + 7]);
          ng += local[q + 8];
          cnt++;
        }
      }
      out[o + 23] = nf;
      out[o + 24] = cnt ? ng / cnt : 0;
      out[o + 25] = nh;
      for (let k = 0; k < NLOCAL; k++) out[o + 26 + k] = gmean[k];
      out[o + 45] = gmax[0];
      out[o + 46] = gmax[1];
      out[o + 47] = gmax[2];
      out[o + 48] = gmax[3];
      out[o + 49] = contrast;
    }
  }
}

/**
 * Box-filter resample of any decoded frame to RGBA at W x H (area average when shrinking,
 * nearest when enlarging). Accepts rgba, rgb, gray and nv21 sources, so camera frames need no
 * conversion pass first.
 */
export function toAnalysisRgba(
  src: Uint8Array, sw: number, sh: number, format: 'rgba' | 'rgb' | 'gray' | 'nv21', W: number, H: number, out?: Uint8Array,
): Uint8Array {
  const dst = out ?? new Uint8Array(W * H * 4);
  const x0 = new Int32Array(W + 1);
  for (let x = 0; x <= W; x++) x0[x] = Math.floor((x * sw) / W);
  const uvBase = sw * sh;
  const uvStride = 2 * Math.ceil(sw / 2);
  for (let y = 0; y < H; y++) {
    const ya = Math.floor((y * sh) / H);
    const yb = Math.max(ya + 1, Math.floor(((y + 1) * sh) / H));
    for (let x = 0; x < W; x++) {
      const xa = x0[x];
      const xb = Math.max(xa + 1, x0[x + 1]);
      let r = 0, g = 0, b = 0;
      for (let yy = ya; yy < yb; yy++) {
        for (let xx = xa; xx < xb; xx++) {
          const i = yy * sw + xx;
          if (format === 'rgba') { r += src[i * 4]; g += src[i * 4 + 1]; b += src[i * 4 + 2]; }
          else if (format === 'rgb') { r += src[i * 3]; g += src[i * 3 + 1]; b += src[i * 3 + 2]; }
          else if (format === 'gray') { const v = src[i]; r += v; g += v; b += v; }
          else {
            // NV21: full-res Y, then interleaved V,U at half resolution.
            const Y = src[i];
            const q = uvBase + (yy >> 1) * uvStride + (xx >> 1) * 2;
            const V = src[q] - 128, U = src[q + 1] - 128;
            r += clamp255(Y + 1.402 * V);
            g += clamp255(Y - 0.344136 * U - 0.714136 * V);
            b += clamp255(Y + 1.772 * U);
          }
        }
      }
      const n = (yb - ya) * (xb - xa);
      const o = (y * W + x) * 4;
      dst[o] = Math.round(r / n);
      dst[o + 1] = Math.round(g / n);
      dst[o + 2] = Math.round(b / n);
      dst[o + 3] = 255;
    }
  }
  return dst;
}

function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** Local features summarised per frame by max, mean of the next three, and median. */
const NFRAME_LOCAL = 26;
/** Frame-level colour features: the frame's warm histogram (32) and, for the 8 bright bins
 * (luma >= 128 of sector r>=g>=b), the largest fraction any block has. */
const NFRAME_COLOUR = NHIST + 8;
/** Length of the frame-level feature vector. */
export const NFRAME = 24 + NFRAME_LOCAL * 3 + NFRAME_COLOUR;

/**
 * The frame classifier's input: the frame's global statistics plus, for each local block
 * feature, its maximum over blocks, the mean of the next three and the median — so a small
 * fire in one corner and smoke spread thinly over the view both show up — plus the colour
 * features read from the block sums (`sums`, the kernel's output for the same frame).
 */
export function frameVector(feats: Float32Array, sums: Float64Array, nb: number, out: Float32Array = new Float32Array(NFRAME)): Float32Array {
  for (let k = 0; k < 24; k++) out[k] = feats[26 + k];
  const v = new Float32Array(nb);
  for (let k = 0; k < NFRAME_LOCAL; k++) {
    for (let b = 0; b < nb; b++) v[b] = feats[b * NFEAT + k];
    v.sort();
    // Float32 sort is ascending; read from the top.
    out[24 + k] = v[nb - 1];
    out[24 + NFRAME_LOCAL + k] = nb >= 4 ? (v[nb - 2] + v[nb - 3] + v[nb - 4]) / 3 : v[0];
    out[24 + 2 * NFRAME_LOCAL + k] = v[(nb - 1) >> 1];
  }
  // Colour: fire seen through smoke or far away is a few bright orange pixels; the frame's
  // warm histogram and the densest block's bright warm bins see it where block means do not
  // (group cross-validation: fire AUC +0.004 mean over five splits, docs/scene.md).
  const o = 24 + 3 * NFRAME_LOCAL;
  let n = 0;
  for (let b = 0; b < nb; b++) n += sums[b * NSUMS + 19];
  for (let k = 0; k < NHIST; k++) {
    let t = 0;
    for (let b = 0; b < nb; b++) t += sums[b * NSUMS + 20 + k];
    out[o + k] = t / Math.max(1, n);
  }
  for (let k = 0; k < 8; k++) {
    let m = 0;
    for (let b = 0; b < nb; b++) m = Math.max(m, sums[b * NSUMS + 28 + k] / Math.max(1, sums[b * NSUMS + 19]));
    out[o + NHIST + k] = m;
  }
  return out;
}
