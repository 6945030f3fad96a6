/**
 * Voice worker handlers (thin): one chunk of a stream through the feature pipeline.
 * @internal
 */
import type { TaskContext } from '../../workers/protocol.js';
import { getAudioKernels } from '../../runtime/audio-kernels.js';
import { loadVoiceModels } from './models.js';
import { processChunk, type ChunkFeatures, type StreamState } from './pipeline.js';

/** Payload of `voice.chunk`. */
export interface ChunkPayload {
  /** PCM16 little-endian bytes at the stream's rate (even length; validated on the main thread). */
  pcm: Uint8Array;
  state: StreamState;
  /** Path of the profile's head ONNX, if any. */
  headPath?: string;
}

/** Runs one chunk; returns the features and the updated state (buffers transferred). */
export async function chunk(payload: ChunkPayload, ctx: TaskContext): Promise<{ features: ChunkFeatures; state: StreamState }> {
  const [k, models] = await Promise.all([getAudioKernels(), loadVoiceModels(ctx.config.modelsDir, payload.headPath)]);
  ctx.checkpoint();
  const st = payload.state;
  const features = await processChunk(k, models, st, payload.pcm, () => ctx.checkpoint());
  for (const a of [features.audio, features.vad, features.scores]) if (a.buffer instanceof ArrayBuffer) ctx.transfer(a.buffer);
  return { features, state: st };
}
