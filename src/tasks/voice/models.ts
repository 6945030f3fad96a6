/**
 * Loads the voice pipeline's ONNX sessions in the calling (worker) thread: the three shipped
 * models from the registry (`models/manifest.json`: `silero-vad-v5`, `oww-melspectrogram`,
 * `oww-embedding-stream`, cached per thread by `getSession`) and a profile's trained head by path.
 * @internal
 */
import { createSessionFromFile, getSession, type ort } from '../../runtime/onnx.js';
import type { VoiceModels } from './pipeline.js';

/** Registry names of the shipped models the pipeline runs. */
export const VOICE_MODEL_NAMES = Object.freeze({ vad: 'silero-vad-v5', mel: 'oww-melspectrogram', emb: 'oww-embedding-stream' });

const heads = new Map<string, Promise<ort.InferenceSession>>();

/**
 * The VAD, mel and embedding sessions, plus the head at `headPath` when given (cached per
 * thread by path; a profile's head is immutable once written, its sha256 checked on load).
 * @throws HMP_ERR_MODEL_UNKNOWN, HMP_ERR_MODEL_LOAD
 */
export async function loadVoiceModels(modelsDir: string, headPath?: string): Promise<VoiceModels> {
  const [vad, mel, emb] = await Promise.all([
    getSession(modelsDir, VOICE_MODEL_NAMES.vad),
    getSession(modelsDir, VOICE_MODEL_NAMES.mel),
    getSession(modelsDir, VOICE_MODEL_NAMES.emb),
  ]);
  if (!headPath) return { vad, mel, emb };
  let h = heads.get(headPath);
  if (!h) {
    h = createSessionFromFile(headPath);
    h.catch(() => heads.delete(headPath));
    heads.set(headPath, h);
  }
  return { vad, mel, emb, head: await h };
}
