/**
 * Stream features and tamper measures: everything that needs the session's history.
 *
 * The state is a handful of small typed arrays (a 1/4-resolution luma background, the previous
 * thumbnail, a slow reference for tamper checks, per-block edge and flicker averages): about
 * 60 KB at 320x240, fixed by the analysis size, so a session's memory is bounded whatever the
 * stream length. It is plain data, so it can travel with a frame to any worker and back.
 * @internal
 */
import { NSUMS, type Grid } from './features.js';

/** Thumbnail scale: one thumbnail pixel per 4x4 analysis pixels. */
export const THUMB = 4;

/** Per-session stream state (structured-clone friendly; its buffers are transferable). */
export interface StreamState {
  frames: number;
  /** Timestamp (ms) of the last analysed frame. */
  lastT: number;
  /** Frames the tamper reference has absorbed. */
  refFrames: number;
  /**
   * [brightness, contrast, sharpness, brightFrac, deadFrac] of the reference, then the previous
   * frame's sharpness and the defocus latch (1 while a defocus that began abruptly holds).
   */
  ref: Float64Array;
  /** Background luma thumbnail (tau 2 s). */
  bg: Float32Array;
  /** Previous frame's luma thumbnail. */
  prev: Float32Array;
  /** Slow reference thumbnail for 'moved' (tau 20 s, frozen while tamper evidence holds). */
  refThumb: Float32Array;
  /** Per-block background edge energy. */
  bgGrad: Float32Array;
  /** Per-block edge energy of the slow tamper reference. */
  refGrad: Float32Array;
  /** Per-block flicker average. */
  flicker: Float32Array;
}

/** Stream features of one frame. */
export interface StreamFeatures {
  /** Per block: fraction of thumbnail pixels differing from the background. */
  motion: Float32Array;
  /** Per block: loss of edge energy against the background (0..1; smoke softens edges). */
  edgeLoss: Float32Array;
  /** Per block: temporal luma change inside flame-coloured pixels. */
  flicker: Float32Array;
  /** Per block: upward drift of moving texture, thumbnail pixels per frame (+ = up). */
  drift: Float32Array;
  /** Global measures for tamper detection. */
  global: { brightness: number; contrast: number; sharpness: number; brightFrac: number; deadFrac: number; changed: number; shiftX: number; shiftY: number };
  /** Tamper evidence per kind, 0..1 (0 while the reference is still warming up). */
  tamper: { covered: number; blinded: number; defocused: number; moved: number };
}

/** A fresh state for a stream at the given analysis size. */
export function newStreamState(W: number, H: number, grid: Grid): StreamState {
  const tw = Math.floor(W / THUMB), th = Math.floor(H / THUMB);
  const nb = grid.bx * grid.by;
  return {
    frames: 0, lastT: -Infinity, refFrames: 0,
    ref: new Float64Array(7),
    bg: new Float32Array(tw * th), prev: new Float32Array(tw * th), refThumb: new Float32Array(tw * th),
    bgGrad: new Float32Array(nb), refGrad: new Float32Array(nb), flicker: new Float32Array(nb),
  };
}

/** Mean luma of each 4x4 cell (the kernels' thumbnail). */
export function thumbLuma(rgba: Uint8Array, W: number, H: number, out?: Float32Array): Float32Array {
  const tw = Math.floor(W / THUMB), th = Math.floor(H / THUMB);
  const t = out ?? new Float32Array(tw * th);
  t.fill(0);
  for (let y = 0; y < th * THUMB; y++) {
    const ty = (y / THUMB) | 0;
    let p = y * W * 4;
    for (let x = 0; x < tw * THUMB; x++, p += 4) {
      t[ty * tw + ((x / THUMB) | 0)] += (77 * rgba[p] + 150 * rgba[p + 1] + 29 * rgba[p + 2] + 128) >> 8;
    }
  }
  for (let i = 0; i < t.length; i++) t[i] /= THUMB * THUMB;
  return t;
}

/** Thresholds of the tamper rules (documented in docs/scene.md). */
export const TAMPER_RULES = Object.freeze({
  /** Frames the reference needs before tamper checks run. */
  warmupFrames: 3,
  /** A dead block: mean luma below this (0..1) and luma std below `deadStd`. */
  deadLuma: 0.16, deadStd: 0.04,
  covered: 0.5, blinded: 0.5, defocusRatio: 0.6,
  /** Sharpness must fall below this fraction of the previous frame's for a defocus to start. */
  defocusDrop: 0.75,
  /** A defocused view changed in at most this fraction of the thumbnail against the reference. */
  defocusMaxChange: 0.25,
  /** Fraction of the view changed against the reference before a shift is searched. */
  moved: 0.3,
  /** The best shift must leave at most this fraction of the unshifted difference. */
  shiftExplains: 0.6,
  /** Largest shift searched, thumbnail pixels (x4 analysis pixels). */
  maxShift: 10,
  /** Luma difference (0..255) at which a thumbnail pixel counts as changed. */
  changeLevel: 28,
});

/**
 * Advances the state by one frame and returns its stream features. `sums` are the frame's
 * block sums (features.ts), `thumb` its luma thumbnail; `dtMs` the time since the last frame.
 */
export function streamStep(state: StreamState, sums: Float64Array, thumb: Float32Array, W: number, H: number, grid: Grid, dtMs: number): StreamFeatures {
  const { bx, by } = grid;
  const nb = bx * by;
  const tw = Math.floor(W / THUMB), th = Math.floor(H / THUMB);
  const first = state.frames === 0;
  const motion = new Float32Array(nb), edgeLoss = new Float32Array(nb), flicker = new Float32Array(nb), drift = new Float32Array(nb);
  const cnt = new Float32Array(nb), diffSum = new Float32Array(nb);
  let changed = 0;
  const blockOf = (tx: number, ty: number) => Math.min(by - 1, Math.floor((ty * THUMB * by) / H)) * bx + Math.min(bx - 1, Math.floor((tx * THUMB * bx) / W));
  for (let ty = 0; ty < th; ty++) {
    for (let tx = 0; tx < tw; tx++) {
      const i = ty * tw + tx, b = blockOf(tx, ty);
      cnt[b]++;
      if (!first) {
        if (Math.abs(thumb[i] - state.bg[i]) > 18) motion[b]++;
        diffSum[b] += Math.abs(thumb[i] - state.prev[i]);
        if (Math.abs(thumb[i] - state.refThumb[i]) > TAMPER_RULES.changeLevel) changed++;
      }
    }
  }
  changed = first ? 0 : changed / (tw * th);
  // Global measures from the block sums.
  let n = 0, sy = 0, sy2 = 0, sg = 0, bright = 0, dead = 0;
  for (let b = 0; b < nb; b++) {
    const s = b * NSUMS, bn = Math.max(1, sums[s + 19]);
    n += sums[s + 19]; sy += sums[s]; sy2 += sums[s + 1]; sg += sums[s + 11]; bright += sums[s + 9];
    const m = sums[s] / bn, sd = Math.sqrt(Math.max(0, sums[s + 1] / bn - m * m));
    if (m / 255 < TAMPER_RULES.deadLuma && sd / 255 < TAMPER_RULES.deadStd) dead++;
  }
  const mean = sy / Math.max(1, n);
  const g = {
    brightness: mean / 255,
    contrast: Math.sqrt(Math.max(0, sy2 / Math.max(1, n) - mean * mean)) / 255,
    sharpness: sg / Math.max(1, n) / 255,
    brightFrac: bright / Math.max(1, n),
    deadFrac: dead / nb,
    changed,
    shiftX: 0, shiftY: 0,
  };
  const aBg = first ? 1 : 1 - Math.exp(-dtMs / 2000);
  const aRef = state.refFrames === 0 ? 1 : 1 - Math.exp(-dtMs / 20000);
  for (let b = 0; b < nb; b++) {
    const s = b * NSUMS, bn = Math.max(1, sums[s + 19]);
    motion[b] /= Math.max(1, cnt[b]);
    const grad = sums[s + 11] / bn / 255;
    edgeLoss[b] = first || state.bgGrad[b] <= 0.004 ? 0 : Math.max(0, 1 - grad / state.bgGrad[b]);
    // Flicker only counts in flame-coloured blocks: fraction of fire-rule pixels x mean change.
    const fireFrac = sums[s + 6] / bn;
    const f = first ? 0 : fireFrac * (diffSum[b] / Math.max(1, cnt[b])) / 255;
    state.flicker[b] += (first ? 1 : 0.3) * (f - state.flicker[b]);
    flicker[b] = state.flicker[b];
    // The background edge energy only learns from still blocks, so smoke cannot teach it.
    if (first || motion[b] < 0.1) state.bgGrad[b] += (first ? 1 : aBg) * (grad - state.bgGrad[b]);
  }
  if (!first) upwardDrift(thumb, state.prev, tw, th, grid, W, H, motion, drift);
  // Tamper evidence against the slow reference.
  const r = state.ref;
  const tamper = { covered: 0, blinded: 0, defocused: 0, moved: 0 };
  if (state.refFrames >= TAMPER_RULES.warmupFrames) {
    tamper.covered = g.deadFrac >= TAMPER_RULES.covered && r[4] < 0.3 ? g.deadFrac : 0;
    const blind = Math.max(g.brightFrac, g.brightness >= 0.8 && g.contrast < 0.5 * r[2] ? g.brightness : 0);
    tamper.blinded = !tamper.covered && blind >= TAMPER_RULES.blinded && r[3] < 0.3 ? blind : 0;
    const ratio = r[2] > 0.003 ? g.sharpness / r[2] : 1;
    // Defocus softens the whole view; smoke or steam soften part of it. Require most blocks
    // (with edges to lose) to have lost them.
    let soft = 0, textured = 0;
    for (let b = 0; b < nb; b++) {
      // Blocks whose reference edge energy is near the sensor-noise floor cannot lose any.
      if (state.refGrad[b] < 0.03) continue;
      textured++;
      const s = b * NSUMS;
      if (sums[s + 11] / Math.max(1, sums[s + 19]) / 255 < 0.6 * state.refGrad[b]) soft++;
    }
    const uniform = textured > 0 && soft / textured >= 0.75;
    const lit = g.brightness > 0.5 * r[0] && g.brightness < 1.8 * r[0] + 0.05;
    // Blur keeps the coarse layout (the 4x4 thumbnail barely changes); a scene that changed
    // (smoke rolling in, people, a new view) is not a defocused lens.
    const candidate = !tamper.covered && !tamper.blinded && lit && uniform && changed < TAMPER_RULES.defocusMaxChange && ratio < TAMPER_RULES.defocusRatio;
    // A lens knocked out of focus blurs the view from one frame to the next; smoke, steam or a
    // scene drifting out of the depth of field soften it gradually. Latch only an abrupt drop.
    if (!candidate) r[6] = 0;
    else if (r[5] > 0 && g.sharpness < TAMPER_RULES.defocusDrop * r[5]) r[6] = 1;
    tamper.defocused = candidate && r[6] === 1 ? 1 - ratio : 0;
    if (!tamper.covered && !tamper.blinded && !tamper.defocused && changed >= TAMPER_RULES.moved) {
      // A turned camera shows the same scene displaced: some shift must explain the change
      // much better than none (people walking through or steam do not).
      const sh = globalShift(thumb, state.refThumb, tw, th);
      if ((sh[0] || sh[1]) && sh[2] < TAMPER_RULES.shiftExplains * sh[3]) {
        tamper.moved = Math.min(1, 0.5 + changed);
        g.shiftX = sh[0] * THUMB; g.shiftY = sh[1] * THUMB;
      }
    }
  }
  const evidence = tamper.covered || tamper.blinded || tamper.defocused || tamper.moved;
  if (!evidence) {
    r[0] += aRef * (g.brightness - r[0]);
    r[1] += aRef * (g.contrast - r[1]);
    r[2] += aRef * (g.sharpness - r[2]);
    r[3] += aRef * (g.brightFrac - r[3]);
    r[4] += aRef * (g.deadFrac - r[4]);
    for (let i = 0; i < thumb.length; i++) state.refThumb[i] += aRef * (thumb[i] - state.refThumb[i]);
    for (let b = 0; b < nb; b++) state.refGrad[b] += aRef * (sums[b * NSUMS + 11] / Math.max(1, sums[b * NSUMS + 19]) / 255 - state.refGrad[b]);
    state.refFrames++;
  }
  if (first) state.bg.set(thumb);
  else {
    for (let i = 0; i < thumb.length; i++) {
      const d = thumb[i] - state.bg[i];
      // Moving pixels blend in slowly so a standing smoke plume keeps showing as motion.
      state.bg[i] += (Math.abs(d) > 18 ? aBg * 0.25 : aBg) * d;
    }
  }
  r[5] = g.sharpness;
  state.prev.set(thumb);
  state.frames++;
  return { motion, edgeLoss, flicker, drift, global: g, tamper };
}

/**
 * Per moving block, the vertical offset (-2..2 thumbnail rows) that best aligns the previous
 * frame with this one (smallest mean absolute difference); positive means the texture rose.
 */
function upwardDrift(cur: Float32Array, prev: Float32Array, tw: number, th: number, grid: Grid, W: number, H: number, motion: Float32Array, out: Float32Array): void {
  const { bx, by } = grid;
  for (let j = 0; j < by; j++) {
    const y0 = Math.floor((j * H) / by / THUMB), y1 = Math.floor(((j + 1) * H) / by / THUMB);
    for (let i = 0; i < bx; i++) {
      const b = j * bx + i;
      if (motion[b] < 0.05) continue;
      const x0 = Math.floor((i * W) / bx / THUMB), x1 = Math.floor(((i + 1) * W) / bx / THUMB);
      let best = Infinity, bestS = 0;
      for (let s = -2; s <= 2; s++) {
        let sad = 0, m = 0;
        for (let y = Math.max(y0, 2); y < Math.min(y1, th - 2); y++) {
          for (let x = x0; x < x1; x++) { sad += Math.abs(cur[y * tw + x] - prev[(y + s) * tw + x]); m++; }
        }
        // Ties prefer no motion, then smaller offsets.
        const v = m ? sad / m : Infinity;
        if (v < best - 1e-9 || (Math.abs(v - best) <= 1e-9 && Math.abs(s) < Math.abs(bestS))) { best = v; bestS = s; }
      }
      // cur(y) ~ prev(y + s): content moved from row y+s to row y, i.e. up by s.
      out[b] = bestS;
    }
  }
}

/**
 * Global translation (thumbnail pixels, |d| <= maxShift) between a reference and the current
 * thumbnail, by mean absolute difference on the overlapping area (every second pixel).
 * Returns [dx, dy, madAtBest, madAtZero].
 */
function globalShift(cur: Float32Array, ref: Float32Array, tw: number, th: number): [number, number, number, number] {
  const R = TAMPER_RULES.maxShift;
  let best = Infinity, bx = 0, by = 0, zero = Infinity;
  for (let dy = -R; dy <= R; dy++) {
    for (let dx = -R; dx <= R; dx++) {
      let sad = 0, m = 0;
      for (let y = Math.max(0, dy); y < Math.min(th, th + dy); y += 2) {
        for (let x = Math.max(0, dx); x < Math.min(tw, tw + dx); x += 2) { sad += Math.abs(cur[y * tw + x] - ref[(y - dy) * tw + (x - dx)]); m++; }
      }
      const v = sad / Math.max(1, m);
      if (!dx && !dy) zero = v;
      if (v < best - 1e-9) { best = v; bx = dx; by = dy; }
    }
  }
  return [bx, by, best, zero];
}
