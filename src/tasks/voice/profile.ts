/**
 * Voice profiles: a directory holding `profile.json` (phrases, command ids, actions, training
 * record) and `head.onnx` (the trained classifier, input `embeddings` [N,16,96], output
 * `scores` [N, 1 + phrases], class 0 = none). `hmp voice train` writes them; sessions load them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createError } from '../../errors.js';
import * as is from '../../is.js';
import { packageRoot } from '../../runtime/models.js';

/** An action a command triggers, passed through to the caller verbatim (JSON). */
export type VoiceAction = { type: string } & Record<string, unknown>;

/** One phrase the head recognises. */
export interface VoicePhrase {
  /** Stable id, e.g. `wake_xiaomei`. */
  id: string;
  /** What is said, e.g. `小美小美`. */
  text: string;
  /** espeak-ng language used for training: `cmn` or `en`. */
  lang: 'cmn' | 'en';
  /** `wake` phrases produce `wakeWord` events, `command` phrases `command` events. */
  kind: 'wake' | 'command';
  /** Command id (several phrases may share one, e.g. 加速 and "faster"). */
  command?: string;
  /** Score (0-1) at or above which the phrase fires. */
  threshold: number;
  /**
   * Longest the phrase took in training speech, seconds (the slowest training voices); the
   * session's `isolatedCommands` rule allows a speech segment this long + 0.4 s. Default 2.5.
   */
  maxSec?: number;
}

/** The manifest `profile.json`. */
export interface VoiceProfileManifest {
  format: 'hmp-voice-profile';
  version: 1;
  name: string;
  /** Head file and its sha256. `classes[0]` is `"none"`, then phrase ids in output order. */
  head: { file: string; sha256: string; classes: string[] };
  phrases: VoicePhrase[];
  /** Command id → action. */
  commands: Record<string, { action: VoiceAction }>;
  /** Consecutive 80 ms steps over threshold the profile was tuned for (sessions' default `patience`). Default 1. */
  patience?: number;
  /** How it was made: command line, seed, voices, conditions held out for evaluation. */
  training?: Record<string, unknown>;
}

/** A loaded profile: manifest plus the absolute path of its head. */
export interface VoiceProfile extends VoiceProfileManifest {
  dir: string;
  headPath: string;
}

/** The default profile shipped with hmp: `models/voice/default`. */
export function defaultProfileDir(): string {
  return join(packageRoot(), 'models', 'voice', 'default');
}

/**
 * Loads and validates a profile directory (the manifest, and the head's sha256).
 * @throws HMP_ERR_VOICE_PROFILE
 * @example loadProfile(defaultProfileDir()).phrases.map((p) => p.id) // ['wake_xiaomei', 'wake_hey_mall', ...]
 */
export function loadProfile(dir: string): VoiceProfile {
  const abs = resolve(dir);
  const file = join(abs, 'profile.json');
  if (!existsSync(file)) throw createError('HMP_ERR_VOICE_PROFILE', abs, 'profile.json not found');
  let m: VoiceProfileManifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as VoiceProfileManifest;
  } catch (err) {
    throw createError('HMP_ERR_VOICE_PROFILE', abs, `profile.json is not JSON: ${(err as Error).message}`);
  }
  const bad = (why: string) => createError('HMP_ERR_VOICE_PROFILE', abs, why);
  if (!is.isObject(m) || m.format !== 'hmp-voice-profile' || m.version !== 1) throw bad('format must be "hmp-voice-profile" version 1');
  if (!is.isObject(m.head) || typeof m.head.file !== 'string' || !Array.isArray(m.head.classes)) throw bad('head must name file and classes');
  if (!Array.isArray(m.phrases) || m.phrases.length === 0) throw bad('phrases must be a non-empty array');
  if (m.patience !== undefined && !(Number.isInteger(m.patience) && m.patience >= 1 && m.patience <= 10)) throw bad('patience must be an integer 1-10');
  if (m.head.classes[0] !== 'none' || m.head.classes.length !== m.phrases.length + 1) throw bad('head.classes must be "none" followed by one class per phrase');
  for (const [i, p] of m.phrases.entries()) {
    if (!is.isObject(p) || typeof p.id !== 'string' || typeof p.text !== 'string') throw bad(`phrases[${i}] needs id and text`);
    if (m.head.classes[i + 1] !== p.id) throw bad(`phrases[${i}].id ${p.id} does not match head class ${m.head.classes[i + 1]}`);
    if (p.kind !== 'wake' && p.kind !== 'command') throw bad(`phrases[${i}].kind must be wake or command`);
    if (typeof p.threshold !== 'number' || !(p.threshold > 0 && p.threshold <= 1)) throw bad(`phrases[${i}].threshold must be in (0, 1]`);
    if (p.maxSec !== undefined && (typeof p.maxSec !== 'number' || !(p.maxSec > 0 && p.maxSec <= 30))) throw bad(`phrases[${i}].maxSec must be in (0, 30] seconds`);
    if (p.kind === 'command' && (typeof p.command !== 'string' || !is.isObject(m.commands) || !is.isObject(m.commands[p.command]))) {
      throw bad(`phrases[${i}] names command ${String(p.command)} which commands does not define`);
    }
  }
  const headPath = join(abs, m.head.file);
  if (!existsSync(headPath)) throw bad(`head model ${m.head.file} not found`);
  const sha = createHash('sha256').update(readFileSync(headPath)).digest('hex');
  if (sha !== m.head.sha256) throw bad(`head model ${m.head.file} has sha256 ${sha} but profile.json says ${m.head.sha256}`);
  return { ...m, dir: abs, headPath };
}
