/**
 * Per-stream face tracking: associates each frame's faces with tracks (IoU of the predicted
 * box, falling back to centre distance for fast motion), gives every person a stable track
 * id, dwell and attention time, and asks for attributes only for faces not yet settled —
 * attributes of settled tracks are skipped in the worker, so a frame of known faces costs
 * little more than detection. Age and gender are averaged over the samples taken.
 */
import type { Engine } from '../../engine/engine.js';
import type { ImageInput } from '../../runtime/image/index.js';
import * as is from '../../is.js';
import { iou } from './metrics.js';
import { descriptorDistance, FACE_DESCRIPTOR_THRESHOLD } from './descriptor.js';
import { ageBand, type AgeBand, type DetectedFace, type FaceBox, type FaceDetectResult } from './types.js';
import { runFaceDetect, resolveFaceOptions } from './run.js';
import type { FaceDetectOptions } from './types.js';

/** What the recommender consumes: one person in front of the screen. */
export interface TrackRecord {
  trackId: number;
  /** Timestamps (ms, the caller's clock) of the first and the latest frame with this face. */
  firstSeen: number;
  lastSeen: number;
  /** lastSeen − firstSeen. */
  dwellMs: number;
  /** Time spent facing the screen (sum of frame intervals with `attention`). */
  attentionMs: number;
  /** Frames the face was seen in. */
  frames: number;
  /** Smoothed attributes (mean of the samples taken); absent until the first sample. */
  age?: number;
  ageBand?: AgeBand;
  gender?: 'male' | 'female';
  genderScore?: number;
  /** Attribute samples averaged so far. */
  attributeSamples: number;
  /**
   * L2-normalised mean of the face descriptors sampled (detect option `descriptor: true`);
   * compare with `descriptorDistance` against `FACE_DESCRIPTOR_THRESHOLD`.
   */
  descriptor?: number[];
  /** Latest box. */
  box: FaceBox;
}

/** Options of {@link FaceTracker}. */
export interface FaceTrackerOptions {
  /** Options of each frame's detection (`attributes` is managed by the tracker). */
  detect?: Omit<FaceDetectOptions, 'attributes' | 'signal' | 'timeoutMs'>;
  /** A track unseen for longer than this ends. Default `1500` ms. */
  maxMissingMs?: number;
  /** Attribute samples averaged per track before it is settled. Default `3`. */
  attributeSamples?: number;
  /** A settled track is sampled again after this long (its running mean keeps improving). Default `10000` ms. */
  refreshMs?: number;
}

/** One processed frame. */
export interface TrackedFrame extends FaceDetectResult {
  /** Faces of this frame, each with its `trackId` and the track's smoothed attributes. */
  faces: DetectedFace[];
  /** Tracks alive after this frame. */
  tracks: TrackRecord[];
  /** Tracks that ended with this frame (unseen for `maxMissingMs`). */
  ended: TrackRecord[];
}

interface Track {
  rec: TrackRecord;
  vx: number;
  vy: number;
  ageSum: number;
  maleSum: number;
  lastSampleAt: number;
  descSum?: Float64Array;
}

const center = (b: FaceBox) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });

/**
 * Tracks faces across the frames of one camera stream.
 * @example
 * const tracker = new FaceTracker(engine);
 * for await (const frame of camera) {
 *   const r = await tracker.push(frame, Date.now());
 *   // r.faces[0] → { trackId: 1, box: {...}, age: 31.2, gender: 'female', attention: true, ... }
 * }
 * tracker.end(); // → TrackRecord[] of the people still in view
 */
export class FaceTracker {
  readonly #engine: Engine;
  readonly #opts: Required<Omit<FaceTrackerOptions, 'detect'>> & { detect: FaceTrackerOptions['detect'] };
  readonly #tracks = new Map<number, Track>();
  #nextId = 1;
  #lastTs: number | undefined;

  /** @throws HMP_ERR_OPTION_UNKNOWN, HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE */
  constructor(engine: Engine, options: FaceTrackerOptions = {}) {
    if (!is.isObject(options)) throw is.invalid('options object', 'options', options);
    is.knownKeys(options as Record<string, unknown>, ['detect', 'maxMissingMs', 'attributeSamples', 'refreshMs']);
    if (options.detect !== undefined) resolveFaceOptions({ ...options.detect }, 'options.detect');
    this.#engine = engine;
    this.#opts = {
      detect: options.detect as FaceTrackerOptions['detect'],
      maxMissingMs: options.maxMissingMs === undefined ? 1500 : is.number(options.maxMissingMs, 'options.maxMissingMs', 0, 3_600_000),
      attributeSamples: options.attributeSamples === undefined ? 3 : is.integer(options.attributeSamples, 'options.attributeSamples', 1, 100),
      refreshMs: options.refreshMs === undefined ? 10_000 : is.number(options.refreshMs, 'options.refreshMs', 0, 86_400_000),
    };
  }

  /**
   * Processes one frame.
   * @param timestamp the frame's time in ms (monotonic, e.g. `performance.now()` or the camera's); default now.
   * @throws HMP_ERR_ARG_RANGE (timestamp going backwards), the input and engine codes of {@link detectFaces}
   */
  async push(image: ImageInput, timestamp: number = performance.now(), run: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<TrackedFrame> {
    const ts = is.number(timestamp, 'timestamp', this.#lastTs ?? -Infinity, Infinity);
    // Skip attributes for settled tracks: the worker then runs them only for new or due faces.
    const except: FaceBox[] = [];
    for (const t of this.#tracks.values()) {
      const settled = t.rec.attributeSamples >= this.#opts.attributeSamples && ts - t.lastSampleAt < this.#opts.refreshMs;
      if (settled) except.push(this.#predict(t, ts));
    }
    const cfg = resolveFaceOptions({ ...this.#opts.detect }, 'options.detect');
    cfg.config.attributes = { except };
    const r = await runFaceDetect(this.#engine, image, cfg.config, { ...run });
    const dt = this.#lastTs === undefined ? 0 : ts - this.#lastTs;
    this.#lastTs = ts;
    this.#associate(r.faces, ts, dt);
    const ended: TrackRecord[] = [];
    for (const [id, t] of this.#tracks) {
      if (ts - t.rec.lastSeen > this.#opts.maxMissingMs) {
        ended.push({ ...t.rec });
        this.#tracks.delete(id);
      }
    }
    return { ...r, tracks: this.tracks, ended };
  }

  /** Snapshot of the live tracks. */
  get tracks(): TrackRecord[] {
    return [...this.#tracks.values()].map((t) => ({ ...t.rec, box: { ...t.rec.box }, ...(t.rec.descriptor ? { descriptor: [...t.rec.descriptor] } : {}) }));
  }

  /** Ends every track (stream closed) and returns their final records. */
  end(): TrackRecord[] {
    const out = this.tracks;
    this.#tracks.clear();
    return out;
  }

  #predict(t: Track, ts: number): FaceBox {
    const dt = Math.min(ts - t.rec.lastSeen, 500);
    return { ...t.rec.box, x: t.rec.box.x + t.vx * dt, y: t.rec.box.y + t.vy * dt };
  }

  #associate(faces: DetectedFace[], ts: number, dt: number): void {
    const tracks = [...this.#tracks.values()];
    const pairs: { ti: number; fi: number; cost: number }[] = [];
    tracks.forEach((t, ti) => {
      const p = this.#predict(t, ts);
      const pc = center(p);
      faces.forEach((f, fi) => {
        const o = iou({ x: p.x, y: p.y, w: p.width, h: p.height }, { x: f.box.x, y: f.box.y, w: f.box.width, h: f.box.height });
        const fc = center(f.box);
        const size = Math.max(p.width, f.box.width);
        const d = Math.hypot(fc.x - pc.x, fc.y - pc.y) / size;
        const ratio = f.box.width / p.width;
        // IoU first; a fast-moving face keeps its track if its centre moved < 0.75 face sizes at a similar scale.
        if (o >= 0.3) pairs.push({ ti, fi, cost: 1 - o });
        else if (d < 0.75 && ratio > 0.67 && ratio < 1.5) pairs.push({ ti, fi, cost: 1 + d });
        else if (f.descriptor && t.rec.descriptor) {
          // Same person far from the predicted box (occlusion, a jump): re-identify by descriptor.
          const dd = descriptorDistance(f.descriptor, t.rec.descriptor);
          if (dd < FACE_DESCRIPTOR_THRESHOLD) pairs.push({ ti, fi, cost: 2 + dd });
        }
      });
    });
    pairs.sort((a, b) => a.cost - b.cost);
    const usedT = new Set<number>();
    const usedF = new Set<number>();
    const match = new Map<number, Track>();
    for (const p of pairs) {
      if (usedT.has(p.ti) || usedF.has(p.fi)) continue;
      usedT.add(p.ti);
      usedF.add(p.fi);
      match.set(p.fi, tracks[p.ti]);
    }
    faces.forEach((f, fi) => {
      let t = match.get(fi);
      if (!t) {
        t = {
          rec: { trackId: this.#nextId++, firstSeen: ts, lastSeen: ts, dwellMs: 0, attentionMs: 0, frames: 0, attributeSamples: 0, box: f.box },
          vx: 0, vy: 0, ageSum: 0, maleSum: 0, lastSampleAt: -Infinity,
        };
        this.#tracks.set(t.rec.trackId, t);
      } else {
        const gap = ts - t.rec.lastSeen;
        if (gap > 0) {
          const a = center(t.rec.box);
          const b = center(f.box);
          // Exponentially smoothed velocity (px/ms) for the next frame's prediction.
          t.vx = 0.5 * t.vx + 0.5 * ((b.x - a.x) / gap);
          t.vy = 0.5 * t.vy + 0.5 * ((b.y - a.y) / gap);
        }
        if (f.attention) t.rec.attentionMs += Math.min(dt, gap);
        t.rec.lastSeen = ts;
        t.rec.dwellMs = ts - t.rec.firstSeen;
      }
      t.rec.frames++;
      t.rec.box = f.box;
      if (f.age !== undefined && f.gender !== undefined && f.genderScore !== undefined) {
        const male = f.gender === 'male' ? f.genderScore : 1 - f.genderScore;
        t.ageSum += f.age;
        t.maleSum += male;
        t.rec.attributeSamples++;
        t.lastSampleAt = ts;
        const age = t.ageSum / t.rec.attributeSamples;
        const m = t.maleSum / t.rec.attributeSamples;
        t.rec.age = Math.round(age * 10) / 10;
        t.rec.ageBand = ageBand(age);
        t.rec.gender = m > 0.5 ? 'male' : 'female';
        t.rec.genderScore = Math.round(Math.max(m, 1 - m) * 1000) / 1000;
      }
      if (f.descriptor) {
        const sum = (t.descSum ??= new Float64Array(f.descriptor.length));
        for (let i = 0; i < sum.length; i++) sum[i] += f.descriptor[i];
        let n = 0;
        for (let i = 0; i < sum.length; i++) n += sum[i] * sum[i];
        n = Math.sqrt(n) || 1;
        t.rec.descriptor = Array.from(sum, (v) => Math.round((v / n) * 1e6) / 1e6);
      }
      f.trackId = t.rec.trackId;
      if (t.rec.age !== undefined) {
        f.age = t.rec.age;
        f.ageBand = t.rec.ageBand;
        f.gender = t.rec.gender;
        f.genderScore = t.rec.genderScore;
      }
    });
  }
}
