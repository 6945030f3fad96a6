/**
 * Detection metrics by face-height bucket (WIDER FACE style) and attribute metrics, pure
 * functions shared by `hmp eval faces`, the benchmarks and the tests.
 * @internal
 */

/** A box in pixels. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Height buckets of the issue: <10, 10-20, 20-40, >=40 px. */
export const HEIGHT_BUCKETS = Object.freeze([
  { name: '<10', min: 0, max: 10 },
  { name: '10-20', min: 10, max: 20 },
  { name: '20-40', min: 20, max: 40 },
  { name: '>=40', min: 40, max: Infinity },
] as const);

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const u = a.w * a.h + b.w * b.h - inter;
  return u > 0 ? inter / u : 0;
}

/** One image's ground truth and detections. */
export interface DetectionSample {
  truth: (Box & { ignore?: boolean })[];
  detections: (Box & { score: number })[];
}

/** Per-bucket figures. */
export interface BucketFigures {
  bucket: string;
  /** Ground-truth faces in the bucket (ignored ones excluded). */
  faces: number;
  found: number;
  /** found / faces at IoU ≥ 0.5. */
  recall: number;
  /** All-point interpolated average precision within the bucket. */
  ap: number;
}

/** Whole-set figures. */
export interface DetectionFigures {
  buckets: BucketFigures[];
  images: number;
  detections: number;
  /** Detections matching no face (valid or ignored) at IoU ≥ 0.5, whatever their size. */
  falsePositives: number;
  /** Detections of height ≥ 40 px matching no face at IoU ≥ 0.3: the ones a viewer would call wrong. */
  largeFalsePositives: number;
}

/**
 * Greedy matching per image (detections by descending score; each takes the unmatched
 * face of highest IoU ≥ 0.5), then per bucket: recall over the bucket's faces and AP where a
 * detection counts as true positive if it matched a face of the bucket, is ignored if it
 * matched a face of another bucket or an ignored face, and counts as false positive if it
 * matched nothing and its own height falls in the bucket.
 */
/**
 * The matching {@link detectionFigures} uses, for one image: detections by descending score,
 * each taking the not yet taken face of highest IoU ≥ `iouThreshold`. Returns, in that order,
 * each detection's index in `detections`, its face's index in `truth` (-1: none) and its
 * largest IoU with any face.
 */
export function matchDetections(truth: readonly Box[], detections: readonly (Box & { score: number })[], iouThreshold = 0.5): { det: number; truth: number; anyOverlap: number }[] {
  const taken = new Array<boolean>(truth.length).fill(false);
  const order = detections.map((_, i) => i).sort((a, b) => detections[b].score - detections[a].score);
  return order.map((di) => {
    const d = detections[di];
    let best = -1;
    let bestIou = iouThreshold;
    let anyOverlap = 0;
    for (let i = 0; i < truth.length; i++) {
      const v = iou(d, truth[i]);
      if (v > anyOverlap) anyOverlap = v;
      if (!taken[i] && v >= bestIou) {
        bestIou = v;
        best = i;
      }
    }
    if (best >= 0) taken[best] = true;
    return { det: di, truth: best, anyOverlap };
  });
}

export function detectionFigures(samples: readonly DetectionSample[], iouThreshold = 0.5): DetectionFigures {
  const bucketOf = (h: number) => HEIGHT_BUCKETS.findIndex((b) => h >= b.min && h < b.max);
  const perBucket = HEIGHT_BUCKETS.map(() => ({ faces: 0, found: 0, scored: [] as { score: number; tp: boolean }[] }));
  let detections = 0;
  let falsePositives = 0;
  let largeFalsePositives = 0;
  for (const s of samples) {
    for (const t of s.truth) if (!t.ignore) perBucket[bucketOf(t.h)].faces++;
    detections += s.detections.length;
    for (const { det, truth: best, anyOverlap } of matchDetections(s.truth, s.detections, iouThreshold)) {
      const d = s.detections[det];
      if (best >= 0) {
        const t = s.truth[best];
        if (t.ignore) continue;
        const b = perBucket[bucketOf(t.h)];
        b.found++;
        b.scored.push({ score: d.score, tp: true });
      } else {
        falsePositives++;
        if (d.h >= 40 && anyOverlap < 0.3) largeFalsePositives++;
        perBucket[bucketOf(d.h)].scored.push({ score: d.score, tp: false });
      }
    }
  }
  const buckets = perBucket.map((b, i) => ({
    bucket: HEIGHT_BUCKETS[i].name,
    faces: b.faces,
    found: b.found,
    recall: b.faces ? b.found / b.faces : 0,
    ap: averagePrecision(b.scored, b.faces),
  }));
  return { buckets, images: samples.length, detections, falsePositives, largeFalsePositives };
}

/** All-point interpolated AP (VOC 2010+). */
export function averagePrecision(scored: { score: number; tp: boolean }[], positives: number): number {
  if (positives === 0) return 0;
  const s = [...scored].sort((a, b) => b.score - a.score);
  const prec: number[] = [];
  const rec: number[] = [];
  let tp = 0;
  s.forEach((d, i) => {
    if (d.tp) tp++;
    prec.push(tp / (i + 1));
    rec.push(tp / positives);
  });
  for (let i = prec.length - 2; i >= 0; i--) prec[i] = Math.max(prec[i], prec[i + 1]);
  let ap = 0;
  let prevR = 0;
  for (let i = 0; i < s.length; i++) {
    if (rec[i] > prevR) {
      ap += (rec[i] - prevR) * prec[i];
      prevR = rec[i];
    }
  }
  return ap;
}

/** Age bins of the UTKFace evaluation (years, lower bound inclusive). */
export const AGE_BINS = Object.freeze([
  { name: '0-9', min: 0, max: 10 },
  { name: '10-19', min: 10, max: 20 },
  { name: '20-29', min: 20, max: 30 },
  { name: '30-39', min: 30, max: 40 },
  { name: '40-49', min: 40, max: 50 },
  { name: '50-59', min: 50, max: 60 },
  { name: '60-69', min: 60, max: 70 },
  { name: '70-79', min: 70, max: 80 },
  { name: '80+', min: 80, max: Infinity },
] as const);

/** One labelled face and what was predicted (`undefined` when no face was found). */
export interface AttributeSample {
  age: number;
  gender: 'male' | 'female';
  predictedAge?: number;
  predictedGender?: 'male' | 'female';
}

export interface AttributeRow {
  bin: string;
  faces: number;
  /** Faces a prediction exists for. */
  found: number;
  /** Mean absolute age error over found faces. */
  ageMae: number;
  /** Correct gender over all faces (a missed face counts as wrong). */
  genderAccuracy: number;
}

export interface AttributeFigures {
  overall: AttributeRow;
  female: AttributeRow;
  male: AttributeRow;
  bins: AttributeRow[];
}

function row(bin: string, xs: readonly AttributeSample[]): AttributeRow {
  const found = xs.filter((x) => x.predictedAge !== undefined);
  const mae = found.length ? found.reduce((a, x) => a + Math.abs((x.predictedAge as number) - x.age), 0) / found.length : NaN;
  const ok = xs.filter((x) => x.predictedGender === x.gender).length;
  return { bin, faces: xs.length, found: found.length, ageMae: mae, genderAccuracy: xs.length ? ok / xs.length : NaN };
}

/** Age MAE and gender accuracy overall, per gender and per age bin. */
export function attributeFigures(samples: readonly AttributeSample[]): AttributeFigures {
  return {
    overall: row('all', samples),
    female: row('female', samples.filter((s) => s.gender === 'female')),
    male: row('male', samples.filter((s) => s.gender === 'male')),
    bins: AGE_BINS.map((b) => row(b.name, samples.filter((s) => s.age >= b.min && s.age < b.max))),
  };
}
