/**
 * A small, deterministic gradient-boosted tree learner (logistic loss) and its predictor.
 *
 * Why our own: the classifier must be retrained byte-for-byte by `hmp scene train` with no
 * Python and no native ML library. Histogram binning (quantile cut points), level-wise growth
 * to a fixed depth, no row or column sampling and strict tie-breaking make every run on the
 * same data produce the same trees; numbers are rounded to 6 significant digits when a node
 * is created, so the JSON written is the model that was evaluated.
 *
 * Trees are complete binary trees of depth `depth`: internal node i has children 2i+1 (x <= thr)
 * and 2i+2 (x > thr); a node that did not split has feature -1 and sends everything left.
 * @internal
 */

/** A trained ensemble as it is stored in models/scene/*.json. */
export interface GbdtModel {
  depth: number;
  /** Log-odds added to every prediction. */
  base: number;
  /** Per tree: internal-node features (length 2^depth - 1). */
  feat: number[][];
  /** Per tree: internal-node thresholds. */
  thr: number[][];
  /** Per tree: leaf values (length 2^depth). */
  leaf: number[][];
}

/** Training parameters. */
export interface GbdtParams {
  trees: number;
  depth: number;
  learningRate: number;
  /** L2 penalty on leaf values. */
  lambda: number;
  /** Smallest hessian sum a child may have. */
  minChildHessian: number;
  /** Most cut points per feature. */
  maxBins: number;
}

export const GBDT_DEFAULTS: Readonly<GbdtParams> = Object.freeze({
  trees: 120, depth: 4, learningRate: 0.12, lambda: 2, minChildHessian: 2, maxBins: 32,
});

const r6 = (v: number): number => (v === 0 ? 0 : Number(v.toPrecision(6)));

/** Quantile cut points of each feature (distinct, ascending). */
function cutPoints(X: Float32Array, n: number, d: number, maxBins: number): Float64Array[] {
  const cuts: Float64Array[] = [];
  const col = new Float64Array(n);
  for (let f = 0; f < d; f++) {
    for (let i = 0; i < n; i++) col[i] = X[i * d + f];
    col.sort();
    const c: number[] = [];
    for (let k = 1; k < maxBins; k++) {
      const a = col[Math.floor((k * (n - 1)) / maxBins)];
      const b = col[Math.min(n - 1, Math.floor((k * (n - 1)) / maxBins) + 1)];
      // Cut between two stored values, rounded the way the model stores thresholds.
      const t = r6((a + b) / 2);
      if (a === b) continue;
      if (!c.length || t > c[c.length - 1]) c.push(t);
    }
    cuts.push(Float64Array.from(c));
  }
  return cuts;
}

/**
 * Trains a binary classifier. `X` is row-major n x d, `y` 0/1, `w` per-sample weights
 * (0 excludes a sample).
 */
export function trainGbdt(X: Float32Array, y: Uint8Array, w: Float32Array, d: number, params: GbdtParams = GBDT_DEFAULTS): GbdtModel {
  const n = y.length;
  const { depth, lambda, minChildHessian, learningRate, maxBins } = params;
  const cuts = cutPoints(X, n, d, maxBins);
  const B = maxBins;
  // Pre-binned features: bin k means x <= cuts[k] (and > cuts[k-1]); ncuts means above all.
  const bins = new Uint8Array(n * d);
  for (let f = 0; f < d; f++) {
    const c = cuts[f];
    for (let i = 0; i < n; i++) {
      const v = X[i * d + f];
      let lo = 0, hi = c.length;
      while (lo < hi) { const m = (lo + hi) >> 1; if (v <= c[m]) hi = m; else lo = m + 1; }
      bins[i * d + f] = lo;
    }
  }
  let sw = 0, sy = 0;
  for (let i = 0; i < n; i++) { sw += w[i]; sy += w[i] * y[i]; }
  const prior = Math.min(0.999, Math.max(0.001, sy / Math.max(1e-9, sw)));
  const base = r6(Math.log(prior / (1 - prior)));
  const F = new Float64Array(n).fill(base);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const node = new Int32Array(n);
  const nInternal = (1 << depth) - 1;
  const model: GbdtModel = { depth, base, feat: [], thr: [], leaf: [] };
  for (let t = 0; t < params.trees; t++) {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-F[i]));
      g[i] = w[i] * (p - y[i]);
      h[i] = w[i] * Math.max(p * (1 - p), 1e-6);
    }
    node.fill(0);
    const feat = new Array<number>(nInternal).fill(-1);
    const thr = new Array<number>(nInternal).fill(0);
    for (let level = 0; level < depth; level++) {
      const first = (1 << level) - 1;
      const count = 1 << level;
      const hg = new Float64Array(count * d * B);
      const hh = new Float64Array(count * d * B);
      for (let i = 0; i < n; i++) {
        if (w[i] === 0) continue;
        const k = node[i] - first;
        const base0 = k * d * B;
        const gi = g[i], hi = h[i];
        const row = i * d;
        for (let f = 0; f < d; f++) {
          const q = base0 + f * B + bins[row + f];
          hg[q] += gi;
          hh[q] += hi;
        }
      }
      for (let k = 0; k < count; k++) {
        let G = 0, Hs = 0;
        for (let b = 0; b < B; b++) { G += hg[k * d * B + b]; Hs += hh[k * d * B + b]; }
        const parent = (G * G) / (Hs + lambda);
        let best = 1e-9, bf = -1, bb = -1;
        for (let f = 0; f < d; f++) {
          const nc = cuts[f].length;
          let GL = 0, HL = 0;
          const o = k * d * B + f * B;
          for (let b = 0; b < nc; b++) {
            GL += hg[o + b]; HL += hh[o + b];
            const GR = G - GL, HR = Hs - HL;
            if (HL < minChildHessian || HR < minChildHessian) continue;
            const gain = (GL * GL) / (HL + lambda) + (GR * GR) / (HR + lambda) - parent;
            if (gain > best) { best = gain; bf = f; bb = b; }
          }
        }
        if (bf >= 0) { feat[first + k] = bf; thr[first + k] = cuts[bf][bb]; }
      }
      for (let i = 0; i < n; i++) {
        const nd = node[i];
        const f = feat[nd];
        node[i] = 2 * nd + 1 + (f >= 0 && X[i * d + f] > thr[nd] ? 1 : 0);
      }
    }
    const G = new Float64Array(1 << depth);
    const Hh = new Float64Array(1 << depth);
    for (let i = 0; i < n; i++) { const l = node[i] - nInternal; G[l] += g[i]; Hh[l] += h[i]; }
    const leaf = new Array<number>(1 << depth);
    for (let l = 0; l < leaf.length; l++) leaf[l] = r6((-G[l] / (Hh[l] + lambda)) * learningRate);
    for (let i = 0; i < n; i++) F[i] += leaf[node[i] - nInternal];
    model.feat.push(feat);
    model.thr.push(thr);
    model.leaf.push(leaf);
  }
  return model;
}

/** A model unpacked into flat typed arrays for fast scoring. */
export interface PackedGbdt {
  depth: number;
  base: number;
  trees: number;
  feat: Int16Array;
  thr: Float64Array;
  leaf: Float64Array;
}

export function packGbdt(m: GbdtModel): PackedGbdt {
  const ni = (1 << m.depth) - 1;
  const nl = 1 << m.depth;
  const T = m.feat.length;
  const feat = new Int16Array(T * ni);
  const thr = new Float64Array(T * ni);
  const leaf = new Float64Array(T * nl);
  for (let t = 0; t < T; t++) {
    feat.set(m.feat[t], t * ni);
    thr.set(m.thr[t], t * ni);
    leaf.set(m.leaf[t], t * nl);
  }
  return { depth: m.depth, base: m.base, trees: T, feat, thr, leaf };
}

/** Log-odds for the row of `X` starting at `off`. Thresholds compare exactly as in training. */
export function gbdtLogit(p: PackedGbdt, X: Float32Array, off: number): number {
  const ni = (1 << p.depth) - 1;
  const nl = ni + 1;
  let s = p.base;
  const { feat, thr, leaf, depth } = p;
  for (let t = 0; t < p.trees; t++) {
    const o = t * ni;
    let i = 0;
    for (let lv = 0; lv < depth; lv++) {
      const f = feat[o + i];
      i = 2 * i + 1 + (f >= 0 && X[off + f] > thr[o + i] ? 1 : 0);
    }
    s += leaf[t * nl + i - ni];
  }
  return s;
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
