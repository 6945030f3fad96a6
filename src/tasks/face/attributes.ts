/**
 * Age/gender (and emotion, anti-spoof) heads on aligned face crops: per model, the crop
 * geometry, the tensor layout and normalisation (WASM `normalize`), and the decoding of its
 * outputs. Value ranges and label orders come from `models/manifest.json` (and the code that
 * uses each model upstream: face-api, vladmandic/human).
 * @internal
 */
import type { Kernels, NormalizeOptions } from '../../runtime/wasm.js';
import { alignedCrop, type FaceGeometry } from './align.js';
import type { ModelRunner, RgbImage } from './detect.js';

export type Gender = 'male' | 'female';

/** What an attribute model predicts for one face. */
export interface AttributePrediction {
  age?: number;
  /** Probability that the face is male, in [0, 1]. */
  male?: number;
  /** Probabilities in {@link EMOTIONS} order. */
  emotions?: Float32Array;
  /** Anti-spoof real-face score in [0, 1] (advisory). */
  real?: number;
}

/** Labels of the `emotion` model's outputs, in order (oarriaga face_classification, FER-2013). */
export const EMOTIONS = Object.freeze(['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const);
export type Emotion = (typeof EMOTIONS)[number];

/** How to feed and read one attribute model. */
export interface AttributeModel {
  name: string;
  size: number;
  /** Crop side as a multiple of the face size (see `alignMatrix`). */
  scale: number;
  layout: 'nchw' | 'nhwc';
  norm: Omit<NormalizeOptions, 'layout'>;
  gray?: boolean;
  decode(out: Record<string, Float32Array>): AttributePrediction;
}

const softmaxExpect = (p: Float32Array, values: readonly number[]) => {
  let s = 0;
  let e = 0;
  for (let i = 0; i < p.length; i++) {
    s += p[i];
    e += p[i] * values[i];
  }
  return e / s;
};

const YEARS = Array.from({ length: 100 }, (_, i) => i);
/** Representative ages of GEAR's buckets <20, 21-25, 26-30, 31-40, 41-50, 51-60, >60. */
const GEAR_AGES = [12, 23, 28, 35.5, 45.5, 55.5, 68];

/** Attribute models hmp can run, by registry name. */
export const ATTRIBUTE_MODELS: Readonly<Record<string, AttributeModel>> = Object.freeze({
  'faceapi-age-gender': {
    name: 'faceapi-age-gender', size: 112, scale: 1.2, layout: 'nchw',
    norm: { mean: [122.782, 117.001, 104.298], std: [255] },
    decode: (o) => ({ age: o.age[0], male: o.gender[0] }),
  },
  faceres: {
    name: 'faceres', size: 224, scale: 1.5, layout: 'nhwc',
    norm: { mean: [0], std: [1] },
    decode: (o) => ({ age: softmaxExpect(o['age_pred/Softmax:0'], YEARS), male: o['gender_pred/Sigmoid:0'][0] }),
  },
  'faceres-deep': {
    name: 'faceres-deep', size: 224, scale: 1.5, layout: 'nhwc',
    norm: { mean: [0], std: [1] },
    decode: (o) => ({ age: softmaxExpect(o['age_pred/Softmax:0'], YEARS), male: o['gender_pred/Sigmoid:0'][0] }),
  },
  gear: {
    name: 'gear', size: 198, scale: 1.5, layout: 'nhwc',
    norm: { mean: [0], std: [255] },
    decode: (o) => ({ age: softmaxExpect(o.age_output, GEAR_AGES), male: o.gender_output[0] / (o.gender_output[0] + o.gender_output[1]) }),
  },
  // Emotion: 64x64 luma in [-1, 1] (human feeds its face box crop; 1.1 keeps the chin and brows).
  emotion: {
    name: 'emotion', size: 64, scale: 1.1, layout: 'nhwc', gray: true,
    norm: { mean: [127.5], std: [127.5] },
    decode: (o) => ({ emotions: Float32Array.from(o.Identity) }),
  },
  // Anti-spoof: 128x128 RGB in [0, 1]; sigmoid "real" score.
  antispoof: {
    name: 'antispoof', size: 128, scale: 1.2, layout: 'nhwc',
    norm: { mean: [0], std: [255] },
    decode: (o) => ({ real: o.activation_4[0] }),
  },
  'age-ssrnet': {
    name: 'age-ssrnet', size: 64, scale: 1.5, layout: 'nhwc',
    norm: { mean: [0], std: [1] },
    decode: (o) => ({ age: o.Identity[0] }),
  },
  'gender-ssrnet': {
    name: 'gender-ssrnet', size: 64, scale: 1.5, layout: 'nhwc', gray: true,
    norm: { mean: [127.5], std: [127.5] },
    decode: (o) => ({ male: o.Identity[1] / (o.Identity[0] + o.Identity[1]) }),
  },
});

/** The model input for one face: aligned crop → float tensor. */
export function attributeInput(k: Kernels, img: RgbImage, face: FaceGeometry, m: AttributeModel, scale = m.scale, mirror = false): { data: Float32Array; dims: number[] } {
  const crop = alignedCrop(k, img, face, m.size, scale);
  return cropInput(k, mirror ? mirrorCrop(crop, m.size, img.channels) : crop, img.channels, m);
}

/**
 * A square crop mirrored left to right. Equal byte for byte to warping with the mirrored matrix
 * (`alignedCrop(..., mirror = true)` samples the same source points, columns reversed), at the
 * cost of a copy instead of a second warp.
 */
export function mirrorCrop(crop: Uint8Array, size: number, channels: number): Uint8Array {
  const out = new Uint8Array(crop.length);
  const row = size * channels;
  for (let y = 0; y < size; y++) {
    const o = y * row;
    for (let x = 0; x < size; x++) {
      const from = o + x * channels;
      const to = o + (size - 1 - x) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = crop[from + c] as number;
    }
  }
  return out;
}

/** An aligned crop (image channels) → the model's float tensor. */
export function cropInput(k: Kernels, crop: Uint8Array, channels: 3 | 4, m: AttributeModel): { data: Float32Array; dims: number[] } {
  let c: 1 | 3 | 4 = channels;
  if (m.gray) {
    crop = k.convert(crop, m.size, m.size, channels === 4 ? 'rgba' : 'rgb', 'gray');
    c = 1;
  }
  const data = k.normalize(crop, m.size, m.size, c, { layout: m.layout, ...m.norm });
  const ch = m.gray ? 1 : 3;
  return { data, dims: m.layout === 'nchw' ? [1, ch, m.size, m.size] : [1, m.size, m.size, ch] };
}

/**
 * Gender confidence (`max(p, 1 - p)` of the unmirrored crop) below which the age/gender net also
 * runs on the mirrored crop and the two predictions are averaged. Mirroring can only change a
 * decision the first look was unsure of: on UTKFace-200 (docs/faces.md) 0.9 gives the same gender
 * accuracy as always mirroring with 30 % of the second runs (age MAE +0.09 years), 0.8 loses one
 * face; 1 always mirrors.
 */
export const MIRROR_BELOW = 0.9;

/**
 * Age and gender of one face: the crop, and its mirror image only when the gender confidence is
 * below `mirrorBelow` (test-time augmentation where it matters; see {@link MIRROR_BELOW}).
 * @returns the prediction and whether the mirrored crop was used
 */
export async function predictAgeGender(
  k: Kernels,
  run: ModelRunner,
  img: RgbImage,
  face: FaceGeometry,
  m: AttributeModel,
  mirrorBelow = MIRROR_BELOW,
): Promise<AttributePrediction & { mirrored: boolean }> {
  const crop = alignedCrop(k, img, face, m.size, m.scale);
  const first = cropInput(k, crop, img.channels, m);
  const p = m.decode(await run(m.name, first.data, first.dims));
  const male = p.male as number;
  if (!(Math.max(male, 1 - male) < mirrorBelow)) return { ...p, mirrored: false };
  const second = cropInput(k, mirrorCrop(crop, m.size, img.channels), img.channels, m);
  const q = m.decode(await run(m.name, second.data, second.dims));
  const r: AttributePrediction & { mirrored: boolean } = { mirrored: true, male: (male + (q.male as number)) / 2 };
  if (p.age !== undefined && q.age !== undefined) r.age = (p.age + q.age) / 2;
  return r;
}

/** Runs one attribute model on one face (its crop at the model's scale). */
export async function predictAttributes(k: Kernels, run: ModelRunner, img: RgbImage, face: FaceGeometry, m: AttributeModel): Promise<AttributePrediction> {
  const { data, dims } = attributeInput(k, img, face, m);
  return m.decode(await run(m.name, data, dims));
}
