/**
 * Face descriptors for member identification: an aligned crop through an embedding network,
 * L2-normalised, compared by Euclidean distance (for unit vectors `d² = 2 − 2·cos`).
 *
 * hmp uses face-api's 128-d recognition net (dlib's ResNet, built as ONNX by
 * `src/convert/faceapi.ts`); `faceres` (1024-d pooled features of human's age/gender net) and
 * `mobileface` (256-d) are kept as measured alternatives. Separation figures and the
 * threshold: docs/faces.md ("Face descriptor").
 * @internal
 */
import type { Kernels, NormalizeOptions } from '../../runtime/wasm.js';
import { alignedCrop, type FaceGeometry } from './align.js';
import type { ModelRunner, RgbImage } from './detect.js';

/** How to feed and read one embedding model. */
export interface DescriptorModel {
  name: string;
  size: number;
  /** Crop side as a multiple of the face size (see `alignMatrix`). */
  scale: number;
  layout: 'nchw' | 'nhwc';
  norm: Omit<NormalizeOptions, 'layout'>;
  /** Output holding the embedding. */
  output: string;
}

/** Embedding models hmp can run, by registry name. */
export const DESCRIPTOR_MODELS: Readonly<Record<string, DescriptorModel>> = Object.freeze({
  'faceapi-recognition': {
    name: 'faceapi-recognition', size: 150, scale: 1.2, layout: 'nchw',
    norm: { mean: [122.782, 117.001, 104.298], std: [255] }, output: 'descriptor',
  },
  faceres: { name: 'faceres', size: 224, scale: 1.5, layout: 'nhwc', norm: { mean: [0], std: [1] }, output: 'global_pooling/Mean' },
  mobileface: { name: 'mobileface', size: 112, scale: 1.2, layout: 'nhwc', norm: { mean: [0], std: [1] }, output: 'batchnorm0/add_1:0' },
});

/** The embedding model of the face pipeline. */
export const DESCRIPTOR_MODEL = 'faceapi-recognition';

/**
 * Distance (Euclidean, between L2-normalised descriptors of {@link DESCRIPTOR_MODEL}) below
 * which two faces are taken for the same person. Measured on UTKFace-200 (256 people,
 * docs/faces.md): every re-framed, mirrored, rotated, darkened or noisy frame of a face stays
 * below it (max 0.291), and 99%+ of pairs of different people are above it (0.1% below 0.271,
 * 1% below 0.349). The set has no second photo per person, so real same-person distances
 * across days and lighting will be larger: treat a match as a candidate to confirm.
 */
export const FACE_DESCRIPTOR_THRESHOLD = 0.3;

/** Scales `v` to unit length in place (a zero vector stays zero). */
export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

/**
 * Euclidean distance between two descriptors of equal length (0 = identical; for unit vectors
 * at most 2). Compare with {@link FACE_DESCRIPTOR_THRESHOLD}.
 * @example
 * const [a] = (await detectFaces(engine, frame1, { descriptor: true })).faces;
 * const [b] = (await detectFaces(engine, frame2, { descriptor: true })).faces;
 * descriptorDistance(a.descriptor!, b.descriptor!) < FACE_DESCRIPTOR_THRESHOLD // true for the same person in two frames
 */
export function descriptorDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
}

/** The L2-normalised descriptor of one face. */
export async function computeDescriptor(k: Kernels, run: ModelRunner, img: RgbImage, face: FaceGeometry, m: DescriptorModel, scale = m.scale): Promise<Float32Array> {
  const crop = alignedCrop(k, img, face, m.size, scale);
  const data = k.normalize(crop, m.size, m.size, img.channels, { layout: m.layout, ...m.norm });
  const dims = m.layout === 'nchw' ? [1, 3, m.size, m.size] : [1, m.size, m.size, 3];
  const out = await run(m.name, data, dims);
  // Copy: the runner's output may be a view into a buffer ORT reuses.
  return l2normalize(Float32Array.from(out[m.output]));
}
