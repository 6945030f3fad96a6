/**
 * The voice feature pipeline, shared by the streaming worker task and the offline training and
 * evaluation tools: 16 kHz audio → Silero VAD v5 speech probabilities (one per 32 ms frame) and
 * openWakeWord melspectrogram (x/10+2) → 96-d embeddings (one per 80 ms step over 76 mel
 * frames) → hmp-trained heads over the last 16 embeddings.
 *
 * Streaming and offline give the same numbers: the stream keeps 480 samples of mel history
 * (starting from zeros) and the offline path prepends the same 480 zeros, so mel frames fall on
 * the same 160-sample grid and every embedding/head window covers the same samples; both run the
 * same step-by-step embedding ({@link runEmbeddingSteps}).
 *
 * All streaming state lives in {@link StreamState}, a structured-clone friendly object held by
 * the caller (the main-thread session) and passed with every chunk; workers stay stateless,
 * any worker of the pool can serve any chunk, and the state is bounded (< 48 KiB).
 * @internal
 */
import { ort, runSession } from '../../runtime/onnx.js';
import { type AudioKernelOps, newResamplerState, resampleChunk, type ResamplerState } from '../../runtime/audio-kernels.js';

/** Samples per Silero VAD v5 frame at 16 kHz (32 ms), and the context it carries over. */
export const VAD_FRAME = 512;
export const VAD_CONTEXT = 64;
/** Samples per openWakeWord step (80 ms) and mel history samples. */
export const STEP = 1280;
export const MEL_HISTORY = 480;
export const MEL_FRAMES_PER_STEP = 8;
export const MEL_WINDOW = 76;
export const MEL_BINS = 32;
export const EMB_DIM = 96;
/**
 * The streaming embedding model (`oww-embedding-stream`) reads each step's 8 new mel frames after
 * the 4 before them and carries three state tensors between steps (shapes from its manifest).
 */
export const EMB_STEP_FRAMES = 12;
export const EMB_STATE_SHAPES: readonly (readonly number[])[] = Object.freeze([[1, 32, 8, 16], [1, 80, 8, 4], [1, 96, 2, 1]]);
/**
 * Step (1-based) of the first embedding: the first 76-frame window on the step grid ends with
 * step 10 (frame 80). Earlier steps' outputs read the zero start state and are discarded.
 */
export const EMB_FIRST_STEP = Math.ceil(MEL_WINDOW / MEL_FRAMES_PER_STEP);
/** Embeddings per head window (16 × 80 ms = 1.28 s). */
export const EMB_WINDOW = 16;

/** ONNX sessions the pipeline runs. `head` is absent for VAD-only sessions. */
export interface VoiceModels {
  vad: ort.InferenceSession;
  mel: ort.InferenceSession;
  emb: ort.InferenceSession;
  head?: ort.InferenceSession;
}

/** Per-stream state, owned by the caller. */
export interface StreamState {
  resampler: ResamplerState;
  /** 16 kHz samples produced so far: the stream's clock. */
  produced: number;
  /** 16 kHz samples (int16 scale) not yet in a full VAD frame. */
  vadPending: Float32Array;
  /** Last 64 normalised samples fed to the VAD, and its recurrent state [2,1,128]. */
  vadContext: Float32Array;
  vadState: Float32Array;
  /** 480 history samples followed by samples not yet in a full 1280-sample step. */
  melPending: Float32Array;
  /** Mel frames of the embedding model's next input: the last 4 frames (zeros at the start), then room for 8. */
  melTail: Float32Array;
  /** The streaming embedding model's state tensors (see {@link EMB_STATE_SHAPES}). */
  embState: Float32Array[];
  /** 80 ms steps run so far, counted up to {@link EMB_FIRST_STEP}. */
  embSteps: number;
  /** Last up-to-16 embeddings (rows of 96), oldest first, and how many are valid. */
  embRing: Float32Array;
  embCount: number;
}

/** What one chunk produced. Times are 16 kHz sample indices in the stream's own clock. */
export interface ChunkFeatures {
  /** The chunk resampled to 16 kHz, PCM16. */
  audio: Int16Array;
  /** Stream sample index of `audio[0]`. */
  audioStart: number;
  /** Speech probability per completed 512-sample VAD frame. */
  vad: Float32Array;
  /** End sample (exclusive) of the first VAD frame; frame i ends at `vadEnd0 + 512·i`. */
  vadEnd0: number;
  /** Head scores, `steps × classes` row-major (empty without a head or before 1.28 s). */
  scores: Float32Array;
  classes: number;
  /** End sample of the first scored step; step i ends at `scoreEnd0 + 1280·i`. */
  scoreEnd0: number;
}

/** A fresh stream for PCM at `sampleRate` (validated by the caller). */
export function newStreamState(sampleRate: number): StreamState {
  return {
    resampler: newResamplerState(sampleRate),
    produced: 0,
    vadPending: new Float32Array(0),
    vadContext: new Float32Array(VAD_CONTEXT),
    vadState: new Float32Array(2 * 128),
    melPending: new Float32Array(MEL_HISTORY),
    melTail: new Float32Array(EMB_STEP_FRAMES * MEL_BINS),
    embState: EMB_STATE_SHAPES.map((d) => new Float32Array(d.reduce((a, b) => a * b, 1))),
    embSteps: 0,
    embRing: new Float32Array(EMB_WINDOW * EMB_DIM),
    embCount: 0,
  };
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length === 0) return b;
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Pushes `rows` (n × width) into a ring of `cap` rows kept oldest-first. */
function pushRows(ring: Float32Array, count: number, cap: number, width: number, rows: Float32Array): number {
  const n = rows.length / width;
  if (n >= cap) {
    ring.set(rows.subarray((n - cap) * width));
    return cap;
  }
  const keep = Math.min(count, cap - n);
  ring.copyWithin(0, (count - keep) * width, count * width);
  ring.set(rows, keep * width);
  return keep + n;
}

const SR16 = new BigInt64Array([16000n]);

/** Runs the VAD over complete frames of `samples`; updates context and state in place. */
export async function runVad(models: VoiceModels, st: StreamState, frames: Float32Array, nFrames: number): Promise<Float32Array> {
  const probs = new Float32Array(nFrames);
  const input = new Float32Array(VAD_CONTEXT + VAD_FRAME);
  const sr = new ort.Tensor('int64', SR16, []);
  for (let f = 0; f < nFrames; f++) {
    input.set(st.vadContext);
    const src = frames.subarray(f * VAD_FRAME, (f + 1) * VAD_FRAME);
    for (let i = 0; i < VAD_FRAME; i++) input[VAD_CONTEXT + i] = src[i]! / 32768;
    const out = await runSession('silero-vad-v5', models.vad, {
      input: new ort.Tensor('float32', input.slice(), [1, VAD_CONTEXT + VAD_FRAME]),
      state: new ort.Tensor('float32', st.vadState, [2, 1, 128]),
      sr,
    });
    probs[f] = (out.output!.data as Float32Array)[0]!;
    st.vadState = (out.stateN!.data as Float32Array).slice();
    st.vadContext = input.slice(VAD_FRAME);
  }
  return probs;
}

/**
 * Mel frames (x/10+2) for `steps` 80 ms steps of `buf` (480 history samples + steps·1280),
 * 8 rows of 32 per step. Each step is its own 1760-sample run, exactly as a stream sees it:
 * the model clips its dB output to 80 dB below the maximum of the whole input tensor (batch
 * included), so a longer input or a batch would give different frames than the stream.
 */
export async function runMelSteps(models: VoiceModels, buf: Float32Array, steps: number): Promise<Float32Array> {
  const W = MEL_HISTORY + STEP;
  const rows = MEL_FRAMES_PER_STEP * MEL_BINS;
  const out = new Float32Array(steps * rows);
  for (let s = 0; s < steps; s++) {
    const r = await runSession('oww-melspectrogram', models.mel, { input: new ort.Tensor('float32', buf.slice(s * STEP, s * STEP + W), [1, W]) });
    const d = r.output!.data as Float32Array;
    for (let i = 0; i < rows; i++) out[s * rows + i] = d[i]! / 10 + 2;
  }
  return out;
}

/**
 * Runs the streaming embedding model over `steps` steps of mel frames (8 rows of 32 each),
 * carrying `st.melTail`, `st.embState` and `st.embSteps`. Returns the embeddings of the steps
 * from {@link EMB_FIRST_STEP} on (`n × 96`; the last `n` of the `steps`): each equals the
 * windowed model (`oww-embedding`) over the 76 frames ending with its step.
 */
export async function runEmbeddingSteps(models: VoiceModels, st: StreamState, mel: Float32Array, steps: number): Promise<{ emb: Float32Array; n: number }> {
  const rows = MEL_FRAMES_PER_STEP * MEL_BINS;
  const out = new Float32Array(steps * EMB_DIM);
  let n = 0;
  const keep = (EMB_STEP_FRAMES - MEL_FRAMES_PER_STEP) * MEL_BINS;
  for (let s = 0; s < steps; s++) {
    const input = st.melTail;
    input.set(mel.subarray(s * rows, (s + 1) * rows), keep);
    const feeds: Record<string, ort.Tensor> = { input_1: new ort.Tensor('float32', input, [1, EMB_STEP_FRAMES, MEL_BINS, 1]) };
    EMB_STATE_SHAPES.forEach((d, i) => { feeds[`state${i}`] = new ort.Tensor('float32', st.embState[i] as Float32Array, d as number[]); });
    const r = await runSession('oww-embedding-stream', models.emb, feeds);
    st.embState = EMB_STATE_SHAPES.map((_, i) => (r[`state${i}_out`]!.data as Float32Array).slice());
    // The next step's first 4 frames are this step's last 4 (the run is over: safe to shift in place).
    input.copyWithin(0, input.length - keep);
    if (st.embSteps < EMB_FIRST_STEP) st.embSteps++;
    if (st.embSteps >= EMB_FIRST_STEP) out.set(r.conv2d_19!.data as Float32Array, (n++) * EMB_DIM);
  }
  return { emb: out.subarray(0, n * EMB_DIM), n };
}

/** Head scores for `n` windows of 16 embeddings packed in `windows` (n·16·96): n × classes. */
export async function runHead(head: ort.InferenceSession, windows: Float32Array, n: number): Promise<{ scores: Float32Array; classes: number }> {
  const out = await runSession('voice-head', head, { [head.inputNames[0]!]: new ort.Tensor('float32', windows, [n, EMB_WINDOW, EMB_DIM]) });
  const t = out[head.outputNames[0]!]!;
  return { scores: (t.data as Float32Array).slice(), classes: Number(t.dims[1]) };
}

/** Head windows (16 embeddings, hop 1) over `count` embeddings. */
export function embWindows(emb: Float32Array, count: number): { windows: Float32Array; n: number } {
  const n = Math.max(0, count - EMB_WINDOW + 1);
  const windows = new Float32Array(n * EMB_WINDOW * EMB_DIM);
  for (let i = 0; i < n; i++) windows.set(emb.subarray(i * EMB_DIM, (i + EMB_WINDOW) * EMB_DIM), i * EMB_WINDOW * EMB_DIM);
  return { windows, n };
}

/**
 * Processes one chunk of PCM16 bytes at the stream's rate. `checkpoint` runs between stages.
 * Updates `st` in place.
 */
export async function processChunk(
  k: AudioKernelOps,
  models: VoiceModels,
  st: StreamState,
  pcm: Uint8Array,
  checkpoint: () => void = () => {},
): Promise<ChunkFeatures> {
  const x = resampleChunk(k, st.resampler, pcm);
  const audioStart = st.produced;
  st.produced += x.length;
  const audio = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) audio[i] = Math.max(-32768, Math.min(32767, Math.round(x[i]!)));

  // VAD over whole 512-sample frames.
  const vadBuf = concat(st.vadPending, x);
  const nVad = Math.floor(vadBuf.length / VAD_FRAME);
  const vadEnd0 = st.produced - (vadBuf.length - nVad * VAD_FRAME) - (nVad - 1) * VAD_FRAME;
  const vad = nVad > 0 ? await runVad(models, st, vadBuf, nVad) : new Float32Array(0);
  st.vadPending = vadBuf.slice(nVad * VAD_FRAME);
  checkpoint();

  // Mel → embeddings → heads over whole 80 ms steps.
  const melBuf = concat(st.melPending, x);
  const steps = Math.floor((melBuf.length - MEL_HISTORY) / STEP);
  let scores: Float32Array = new Float32Array(0);
  let classes = 0;
  let scoreEnd0 = 0;
  if (steps > 0) {
    const used = MEL_HISTORY + steps * STEP;
    const firstStepEnd = st.produced - (melBuf.length - used) - (steps - 1) * STEP;
    const mel = await runMelSteps(models, melBuf.subarray(0, used), steps);
    st.melPending = melBuf.slice(used - MEL_HISTORY);
    checkpoint();
    const mw = await runEmbeddingSteps(models, st, mel, steps);
    if (mw.n > 0) {
      const priorE = st.embCount;
      const allE = concat(st.embRing.slice(0, priorE * EMB_DIM), mw.emb);
      st.embCount = pushRows(st.embRing, st.embCount, EMB_WINDOW, EMB_DIM, mw.emb);
      // The n embeddings belong to the last n steps of this chunk.
      const ew = embWindows(allE, priorE + mw.n);
      if (models.head && ew.n > 0) {
        checkpoint();
        const h = await runHead(models.head, ew.windows, ew.n);
        scores = h.scores;
        classes = h.classes;
        scoreEnd0 = firstStepEnd + (steps - ew.n) * STEP;
      }
    }
  } else {
    st.melPending = melBuf;
  }
  return { audio, audioStart, vad, vadEnd0, scores, classes, scoreEnd0 };
}

/**
 * Offline: every embedding of a 16 kHz clip (int16 scale), on the same grid as the stream
 * (480 zeros of history; embedding i covers the audio up to sample `1280·(i + 10)`, since the
 * first 76-frame window on the step grid completes with step 10). Returns `n × 96` row-major.
 */
export async function clipEmbeddings(models: VoiceModels, samples: Float32Array): Promise<{ emb: Float32Array; n: number; firstStepEnd: number }> {
  const steps = Math.floor(samples.length / STEP);
  if (steps * MEL_FRAMES_PER_STEP < MEL_WINDOW) return { emb: new Float32Array(0), n: 0, firstStepEnd: 0 };
  const buf = new Float32Array(MEL_HISTORY + steps * STEP);
  buf.set(samples.subarray(0, steps * STEP), MEL_HISTORY);
  // Bounded batches keep the mel model's working memory small on long inputs.
  const mel = new Float32Array(steps * MEL_FRAMES_PER_STEP * MEL_BINS);
  for (let s = 0; s < steps; s += 256) {
    const n = Math.min(256, steps - s);
    mel.set(await runMelSteps(models, buf.subarray(s * STEP, MEL_HISTORY + (s + n) * STEP), n), s * MEL_FRAMES_PER_STEP * MEL_BINS);
  }
  const st = newStreamState(16000);
  const { emb, n } = await runEmbeddingSteps(models, st, mel, steps);
  return { emb: emb.slice(), n, firstStepEnd: EMB_FIRST_STEP * STEP };
}

/** Offline: Silero speech probability of every 512-sample frame of a 16 kHz clip (int16 scale). */
export async function clipVad(models: VoiceModels, samples: Float32Array): Promise<Float32Array> {
  const st = newStreamState(16000);
  return runVad(models, st, samples, Math.floor(samples.length / VAD_FRAME));
}
