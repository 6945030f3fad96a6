/**
 * Synthetic speech and noise for training and evaluating voice profiles: espeak-ng (Debian
 * package `espeak-ng`) speaks the text, hmp resamples it to 16 kHz with its own kernels, and
 * mixes noise and a simple sparse-echo reverb with a seeded PRNG, so every clip is a pure
 * function of (text, voice, speed, pitch, seed).
 *
 * All audio here is int16-scale f32 at 16 kHz (what the melspectrogram model expects).
 * @internal
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createError } from '../../errors.js';
import { newResamplerState, refAudioKernels, resampleChunk, VOICE_RATE, type AudioKernelOps } from '../../runtime/audio-kernels.js';
import { parseWav } from './wav.js';
import { mulberry32 } from '../../random.js';

/** mulberry32: a tiny, fast, seedable PRNG (uniform in [0, 1)). */
export const rng: (seed: number) => () => number = mulberry32;

/** Standard normal from a uniform source (Box-Muller). */
export function gauss(r: () => number): number {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/** Picks one element. */
export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

/**
 * The espeak-ng voice for Mandarin. Not `cmn`: espeak-ng's Mandarin dictionary (as Debian builds
 * it, without the extended list) stores most characters as tone-numbered pinyin, and the `cmn`
 * voice reads Latin text as English — 小美 comes out as English "xiao three mei three".
 * `cmn-latn-pinyin` reads the same entries as Mandarin syllables with their tones (and third-tone
 * sandhi). `test/tasks/voice/synth.test.ts` checks every Mandarin word the training speaks.
 */
export const MANDARIN_VOICE = 'cmn-latn-pinyin';

/** How espeak-ng speaks: voice ({@link MANDARIN_VOICE}, `en-us`...), variant (`m3`, `f2`, `klatt`...), speed in wpm, pitch 0-99. */
export interface SpeakerSpec {
  voice: string;
  variant: string;
  speed: number;
  pitch: number;
  /**
   * Vocal-tract warp: espeak-ng's output is read as if it had been sampled `warp` times faster
   * (the rate rounded to a multiple of 1 kHz), which scales formants and pitch by `warp` and
   * the duration by 1 / `warp`: a voice espeak-ng does not have. Default 1 (as spoken).
   */
  warp?: number;
}

/** Whether espeak-ng can be run. */
export async function hasEspeak(): Promise<boolean> {
  try {
    await run(['--version']);
    return true;
  } catch {
    return false;
  }
}

function run(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn('espeak-ng', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('error', (e) => reject(createError('HMP_ERR_VOICE_SYNTH', 'espeak-ng', `${e.message} (install the Debian package espeak-ng)`)));
    p.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(createError('HMP_ERR_VOICE_SYNTH', 'espeak-ng', `exit code ${code}: ${Buffer.concat(err).toString().trim()}`));
    });
  });
}

/** Speaks `text` and returns 16 kHz int16-scale samples, leading/trailing silence trimmed. */
export async function speak(text: string, s: SpeakerSpec, k: AudioKernelOps = refAudioKernels): Promise<Float32Array> {
  return trim(await speakRaw(text, s, k, []));
}

async function speakRaw(text: string, s: SpeakerSpec, k: AudioKernelOps, extra: string[]): Promise<Float32Array> {
  const voice = s.variant ? `${s.voice}+${s.variant}` : s.voice;
  // Writing to a file is ~4x faster than --stdout with espeak-ng 1.51 (which also probes audio).
  const dir = mkdtempSync(join(tmpdir(), 'hmp-espeak-'));
  let wav: Buffer;
  try {
    await run([...extra, '-v', voice, '-s', String(s.speed), '-p', String(s.pitch), '-w', join(dir, 'o.wav'), text]);
    wav = readFileSync(join(dir, 'o.wav'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const { sampleRate, pcm } = parseWav(new Uint8Array(wav.buffer, wav.byteOffset, wav.byteLength), 'espeak-ng output');
  const src = s.warp !== undefined && s.warp !== 1 ? Math.round((sampleRate * s.warp) / 1000) * 1000 : sampleRate;
  if (src < 8000 || src > 48000) throw createError('HMP_ERR_VOICE_SYNTH', 'espeak-ng', `warp ${s.warp} puts its ${sampleRate} Hz output outside 8000-48000 Hz`);
  const st = newResamplerState(src);
  const x = resampleChunk(k, st, pcm);
  // Flush the filter's look-ahead with zeros so the clip keeps its last samples.
  const tail = resampleChunk(k, st, new Uint8Array(2 * Math.ceil(src / 50)));
  const all = new Float32Array(x.length + tail.length);
  all.set(x);
  all.set(tail, x.length);
  return all;
}

/**
 * Speaks several texts with one espeak-ng process (starting one costs 50-200 ms, far more
 * than the speech): SSML with 1.5 s breaks between texts, split again on silences of at least
 * 0.7 s. Falls back to one process per text if the split does not yield one segment per text.
 */
export async function speakMany(texts: readonly string[], s: SpeakerSpec, k: AudioKernelOps = refAudioKernels): Promise<Float32Array[]> {
  if (texts.length <= 1) return Promise.all(texts.map((t) => speak(t, s, k)));
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const ssml = `<speak>${texts.map(esc).join('<break time="1500ms"/>')}</speak>`;
  const all = await speakRaw(ssml, s, k, ['-m']);
  const B = 160;
  const thr = 32768 * 10 ** (-50 / 20);
  const segs: [number, number][] = [];
  let cur: [number, number] | undefined;
  let silent = 0;
  for (let b = 0; b * B < all.length; b++) {
    const loud = rms(all, b * B, Math.min(all.length, (b + 1) * B)) > thr;
    if (loud) {
      if (!cur || silent >= 70) {
        cur = [b * B, (b + 1) * B];
        segs.push(cur);
      } else cur[1] = Math.min(all.length, (b + 1) * B);
      silent = 0;
    } else silent++;
  }
  if (segs.length !== texts.length) {
    const out: Float32Array[] = [];
    for (const t of texts) out.push(await speak(t, s, k));
    return out;
  }
  return segs.map(([a, b]) => all.slice(a, b));
}

/** Trims silence: keeps [first, last] 10 ms block whose RMS exceeds -50 dBFS. */
export function trim(x: Float32Array): Float32Array {
  const B = 160;
  const thr = 32768 * 10 ** (-50 / 20);
  let first = -1;
  let last = -1;
  for (let b = 0; b * B < x.length; b++) {
    let e = 0;
    const end = Math.min(x.length, (b + 1) * B);
    for (let i = b * B; i < end; i++) e += x[i]! * x[i]!;
    if (Math.sqrt(e / (end - b * B)) > thr) {
      if (first < 0) first = b;
      last = b;
    }
  }
  if (first < 0) return x.slice(0, 0);
  return x.slice(first * B, Math.min(x.length, (last + 1) * B));
}

/** RMS of a segment. */
export function rms(x: Float32Array, from = 0, to = x.length): number {
  let e = 0;
  for (let i = from; i < to; i++) e += x[i]! * x[i]!;
  return Math.sqrt(e / Math.max(1, to - from));
}

/** Noise kinds. Training uses white/pink/babble; evaluation holds out brown/hum and other babble. */
export type NoiseKind = 'white' | 'pink' | 'brown' | 'hum' | 'babble';

/** Unit-RMS noise of `n` samples. `babble` needs a speech bed (other synthetic speech). */
export function noise(kind: NoiseKind, n: number, r: () => number, bed?: Float32Array): Float32Array {
  const out = new Float32Array(n);
  if (kind === 'white') for (let i = 0; i < n; i++) out[i] = gauss(r);
  else if (kind === 'pink') {
    // Paul Kellet's economy pinking filter.
    let b0 = 0, b1 = 0, b2 = 0;
    for (let i = 0; i < n; i++) {
      const w = gauss(r);
      b0 = 0.99765 * b0 + w * 0.099046;
      b1 = 0.963 * b1 + w * 0.2965164;
      b2 = 0.57 * b2 + w * 1.0526913;
      out[i] = b0 + b1 + b2 + w * 0.1848;
    }
  } else if (kind === 'brown') {
    let y = 0;
    for (let i = 0; i < n; i++) out[i] = y = 0.995 * y + gauss(r);
  } else if (kind === 'hum') {
    // Mains hum with harmonics plus a fan's low-passed broadband noise.
    const f0 = r() < 0.5 ? 50 : 60;
    let lp = 0;
    for (let i = 0; i < n; i++) {
      const t = i / VOICE_RATE;
      lp = 0.9 * lp + 0.1 * gauss(r);
      out[i] = Math.sin(2 * Math.PI * f0 * t) + 0.5 * Math.sin(2 * Math.PI * 2 * f0 * t + 1) + 0.3 * Math.sin(2 * Math.PI * 3 * f0 * t + 2) + 3 * lp;
    }
  } else {
    if (!bed || bed.length === 0) throw new Error('babble noise needs a speech bed');
    // Three talkers from random offsets of the bed.
    for (let k = 0; k < 3; k++) {
      const off = Math.floor(r() * bed.length);
      for (let i = 0; i < n; i++) out[i] = out[i]! + bed[(off + i) % bed.length]!;
    }
  }
  const g = rms(out);
  if (g > 0) for (let i = 0; i < n; i++) out[i] = out[i]! / g;
  return out;
}

/**
 * Simple reverb: the direct sound plus ~120 sparse echoes whose amplitude decays
 * exponentially (-60 dB at `rt60` seconds); cheap enough for thousands of clips.
 */
export function reverb(x: Float32Array, rt60: number, r: () => number): Float32Array {
  const len = Math.floor(rt60 * VOICE_RATE);
  const taps: [number, number][] = [];
  for (let k = 0; k < 120; k++) {
    const d = Math.floor(VOICE_RATE * 0.003 + r() * len);
    taps.push([d, 0.5 * gauss(r) * Math.exp((-6.9 * d) / len)]);
  }
  const out = new Float32Array(x.length + len + 100);
  out.set(x);
  for (const [d, a] of taps) for (let i = 0; i < x.length; i++) out[i + d] = out[i + d]! + a * x[i]!;
  // Keep the speech level: reverb should change the colour, not the SNR bookkeeping.
  const g = rms(x) / Math.max(1e-9, rms(out, 0, x.length));
  for (let i = 0; i < out.length; i++) out[i] = out[i]! * g;
  return out;
}

/** A phrase placed in a clip: the clip and the phrase's [start, end) samples. */
export interface PlacedClip {
  audio: Float32Array;
  start: number;
  end: number;
}

/**
 * Places `speech` (already trimmed) after `preSec` of silence, then `postSec` after it, at a
 * speech RMS of `levelDb` dBFS, with optional reverb and noise at `snrDb` (speech RMS over
 * noise RMS; `Infinity` = clean apart from a -70 dBFS noise floor that keeps the mel model away
 * from digital silence).
 */
export function placeClip(
  speech: Float32Array,
  opts: { preSec: number; postSec: number; levelDb: number; snrDb: number; noise: NoiseKind; rt60: number; bed?: Float32Array },
  r: () => number,
): PlacedClip {
  let s = speech;
  if (opts.rt60 > 0) s = reverb(s, opts.rt60, r);
  const pre = Math.floor(opts.preSec * VOICE_RATE);
  const n = pre + speech.length + Math.floor(opts.postSec * VOICE_RATE);
  const audio = new Float32Array(n);
  const target = 32768 * 10 ** (opts.levelDb / 20);
  const g = target / Math.max(1e-9, rms(speech));
  for (let i = 0; i < s.length && pre + i < n; i++) audio[pre + i] = s[i]! * g;
  const floor = 32768 * 10 ** (-70 / 20);
  const nz = noise(opts.noise, n, r, opts.bed);
  const na = Number.isFinite(opts.snrDb) ? target / 10 ** (opts.snrDb / 20) : floor;
  for (let i = 0; i < n; i++) audio[i] = Math.max(-32768, Math.min(32767, audio[i]! + na * nz[i]! + floor * gauss(r)));
  return { audio, start: pre, end: pre + speech.length };
}

/** English and Mandarin words for unrelated "other speech" (negatives). */
export const EN_WORDS = (
  'the a of and to in is it you that he was for on are with as his they be at one have this from or had by word but what some we can out other were all there when up use your how said an each she which do their time if will way about many then them write would like so these her long make thing see him two has look more day could go come did number sound no most people my over know water than call first who may down side been now find any new work part take get place made live where after back little only round man year came show every good me give our under name very through just form sentence great think say help low line differ turn cause much mean before move right boy old too same tell does set three want air well also play small end put home read hand port large spell add even land here must big high such follow act why ask men change went light kind off need house picture try us again animal point mother world near build self earth father head stand own page should country found answer school grow study still learn plant cover food sun four between state keep eye never last let thought city tree cross farm hard start might story saw far sea draw left late run while press close night real life few north open seem together next white children begin got walk example ease paper group always music those both mark often letter until mile river car feet care second book carry took science eat room friend began idea fish mountain once base hear horse cut sure watch color face wood main enough plain girl usual young ready above ever red list though feel talk bird soon body dog family direct pose leave song measure door product black short numeral class wind question happen complete ship area half rock order fire south problem piece told knew pass since top whole king space heard best hour better true during hundred five remember step early hold west ground interest reach fast verb sing listen six table travel less morning ten simple several vowel toward war lay against pattern slow center love person money serve appear road map rain rule govern pull cold notice voice unit power town fine certain fly fall lead cry dark machine note wait plan figure star box noun field rest correct able pound done beauty drive stood contain front teach week final gave green oh quick develop ocean warm free minute strong special mind behind clear tail produce fact street inch multiply nothing course stay wheel full force blue object decide surface deep moon island foot system busy test record boat common gold possible plane stead dry wonder laugh thousand ago ran check game shape equate miss brought heat snow tire bring yes distant fill east paint language among'
).split(' ');
export const ZH_WORDS = (
  '我们 今天 天气 很好 明天 下午 一起 吃饭 超市 商场 电影 朋友 学校 老师 学生 工作 公司 电脑 手机 电话 时间 晚上 早上 中午 喜欢 音乐 跑步 游泳 咖啡 茶叶 水果 苹果 香蕉 面包 牛奶 鸡蛋 米饭 面条 饺子 火锅 城市 北京 上海 广州 深圳 地铁 公交 出租车 飞机 火车 高铁 机场 车站 银行 医院 药店 书店 图书馆 公园 广场 街道 马路 红绿灯 左边 右边 前面 后面 上面 下面 里面 外面 东西 南北 多少 价格 便宜 衣服 裤子 鞋子 帽子 颜色 红色 蓝色 绿色 黄色 白色 黑色 漂亮 高兴 快乐 孩子 妈妈 爸爸 哥哥 姐姐 弟弟 妹妹 爷爷 奶奶 家里 房间 厨房 客厅 窗户 桌子 椅子 沙发 电视 空调 冰箱 洗衣机 周末 假期 旅游 照片 新闻 报纸 杂志 故事 问题 答案 考试 作业 休息 睡觉 起床 开心 认真 努力 学习 运动 健康 身体 医生 护士 警察 司机 厨师 服务员 经理 老板 客户 会议 项目 计划 报告 数据 系统 网络 软件 游戏 比赛 足球 篮球 羽毛球 乒乓球 天空 太阳 月亮 星星 下雨 下雪 刮风 温度 春天 夏天 秋天 冬天'
).split(' ');

/** A random sentence (English or Mandarin) that contains none of `avoid`. */
export function sentence(lang: 'en' | 'cmn', r: () => number, avoid: readonly string[]): string {
  for (;;) {
    const n = 4 + Math.floor(r() * 9);
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(pick(r, lang === 'en' ? EN_WORDS : ZH_WORDS));
    const s = lang === 'en' ? words.join(' ') : words.join('');
    const low = s.toLowerCase();
    if (!avoid.some((a) => a && (lang === 'en' ? new RegExp(`\\b${a.toLowerCase()}\\b`).test(low) : low.includes(a)))) return s;
  }
}

/** Where a text landed in a synthesised scene, seconds. */
export interface Placement {
  text: string;
  start: number;
  end: number;
}

/**
 * A 16 kHz PCM16 scene: each text spoken (trimmed) starting at its `at` seconds, speech at
 * -20 dBFS over white noise at `noiseDb` dBFS. Deterministic for its inputs. Used by
 * `hmp voice synth` and the tests to make WAVs whose event times are known.
 */
export async function synthScene(
  items: readonly { at: number; text: string }[],
  spk: SpeakerSpec,
  o: { length?: number; noiseDb?: number; seed?: number } = {},
  k: AudioKernelOps = refAudioKernels,
): Promise<{ samples: Int16Array; placements: Placement[] }> {
  const clips = await speakMany(items.map((i) => i.text), spk, k);
  const placements = items.map((it, i) => ({ text: it.text, start: it.at, end: it.at + clips[i]!.length / VOICE_RATE }));
  const len = Math.ceil((o.length ?? Math.max(...placements.map((p) => p.end)) + 1) * VOICE_RATE);
  const x = new Float32Array(len);
  const target = 32768 * 10 ** (-20 / 20);
  items.forEach((it, i) => {
    const c = clips[i]!;
    const g = target / Math.max(1e-9, rms(c));
    const at = Math.round(it.at * VOICE_RATE);
    for (let j = 0; j < c.length && at + j < len; j++) x[at + j] = x[at + j]! + c[j]! * g;
  });
  const r = rng(o.seed ?? 1);
  const na = 32768 * 10 ** ((o.noiseDb ?? -70) / 20);
  const samples = new Int16Array(len);
  for (let i = 0; i < len; i++) samples[i] = Math.max(-32768, Math.min(32767, Math.round(x[i]! + na * gauss(r))));
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return { samples, placements: placements.map((p) => ({ text: p.text, start: round(p.start), end: round(p.end) })) };
}
