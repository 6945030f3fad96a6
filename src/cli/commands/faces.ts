/**
 * `hmp faces <image|folder>` and `hmp eval faces`.
 * @internal
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { Engine } from '../../engine/engine.js';
import { drawBoxes } from '../../runtime/face-images.js';
import { defaultModelsDir, packageRoot } from '../../runtime/models.js';
import { detectFaces, type FaceDetectOptions, type FaceDetector } from '../../tasks/face/index.js';
import { evalUtk, evalWider, faceEvalSets } from '../../tasks/face/eval.js';
import { evalDescriptorSeparation } from '../../tasks/face/eval-descriptor.js';
import { compositeBackgrounds, evalComposites } from '../../tasks/face/eval-composite.js';
import { DESCRIPTOR_MODELS } from '../../tasks/face/descriptor.js';
import { sessionRunner } from '../../tasks/face/worker.js';
import { getKernels } from '../../runtime/wasm.js';
import { listImages, progress, runOverFiles } from '../files.js';

export const faces: Command = {
  name: ['faces'],
  summary: 'Detect faces (box, keypoints, angles, age, gender) in an image or a folder',
  help: `Usage: hmp faces <image|folder> [options]

Finds every face with FaceBoxes and BlazeFace (tiled for small faces), estimates head angles and whether the
face looks at the camera, age, gender and emotion; optionally an advisory anti-spoof score and
a 128-d face descriptor.

Options:
  --json             one JSON object per image per line:
                     {"file","width","height","faces":[{"box":{"x","y","width","height"},"score",
                      "keypoints":[{"name","x","y"}],"angles":{"pitch","yaw","roll"},"attention",
                      "age","ageBand","gender","genderScore","emotion","emotionScore",
                      "antispoof"?,"descriptor"?}]}   (boxes in pixels of the input)
                     (a file that fails prints {"file","error":{"code","message"}})
  --draw FILE        write the image with boxes and labels to FILE (PNG; single image only)
  --detector D       both (default: FaceBoxes + BlazeFace merged by one NMS), faceboxes or blazeface
  --faceboxes-size N FaceBoxes input long side in px (default 0 = scale so a --min-face face is ~40 px)
  --min-score X      detector threshold in (0, 1) (default 0.5)
  --min-face N       smallest face height in px to find; larger frames are tiled (default 32; 0 = no tiling)
  --max-faces N      most faces per image (default 20)
  --no-attributes    skip age, gender, emotion, anti-spoof and descriptor
  --antispoof        add the advisory anti-spoof score (0..1, low = photo or screen)
  --descriptor       add the 128-d L2-normalised face descriptor
  --pool N           worker threads (default: cores)
  -h, --help         show this help

Exit status: 0 if every file was read (faces or not), 1 if any file failed, 2 on bad usage.`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        draw: { type: 'string' },
        detector: { type: 'string' },
        'faceboxes-size': { type: 'string' },
        'min-score': { type: 'string' },
        'min-face': { type: 'string' },
        'max-faces': { type: 'string' },
        'no-attributes': { type: 'boolean' },
        antispoof: { type: 'boolean' },
        descriptor: { type: 'boolean' },
        pool: { type: 'string' },
      },
    });
    if (positionals.length !== 1) {
      process.stderr.write(`hmp faces: expected one image or folder\n\n${faces.help}\n`);
      return 2;
    }
    const target = positionals[0]!;
    const options: FaceDetectOptions = {};
    if (values.detector !== undefined) options.detector = values.detector as FaceDetectOptions['detector'];
    if (values['faceboxes-size'] !== undefined) options.faceboxesSize = Number(values['faceboxes-size']);
    if (values['min-score'] !== undefined) options.minScore = Number(values['min-score']);
    if (values['min-face'] !== undefined) options.minFaceSize = Number(values['min-face']);
    if (values['max-faces'] !== undefined) options.maxFaces = Number(values['max-faces']);
    if (values['no-attributes']) options.attributes = false;
    if (values.antispoof) options.antispoof = true;
    if (values.descriptor) options.descriptor = true;
    const isDir = (await stat(target)).isDirectory();
    if (isDir && values.draw) {
      process.stderr.write('hmp faces: --draw takes a single image, not a folder\n');
      return 2;
    }
    const files = isDir ? await listImages(target) : [target];
    const engine = await Engine.create({ verifyModels: false, ...(values.pool !== undefined ? { poolSize: Number(values.pool) } : {}) });
    let failed = 0;
    try {
      // Validate options before reading any file, so a typo fails fast with its code.
      if (files.length > 0) await detectFaces(engine, { data: new Uint8Array(3 * 64 * 64), width: 64, height: 64, format: 'rgb' }, { ...options, attributes: false });
      failed = await runOverFiles(files, engine.options.poolSize, Boolean(values.json), isDir, async (file) => {
        const bytes = await readFile(file);
        // The engine transfers (detaches) the buffer it is given; keep the original for --draw.
        const r = await detectFaces(engine, values.draw ? new Uint8Array(bytes) : bytes, options);
        if (values.draw) {
          await drawBoxes(bytes, r.faces.map((f) => ({
            x: f.box.x, y: f.box.y, width: f.box.width, height: f.box.height, points: f.keypoints,
            color: f.attention ? '#00e676' : '#ffb300',
            label: [f.score.toFixed(2), f.age !== undefined ? `${Math.round(f.age)}y` : '', f.gender ?? '', f.emotion ?? ''].filter(Boolean).join(' '),
          })), values.draw);
        }
        return values.json
          ? JSON.stringify({ file, width: r.width, height: r.height, faces: r.faces }) + '\n'
          : `${file}: ${r.faces.length} face(s) (${r.timings.totalMs} ms)\n` +
            r.faces.map((f) => `  [${f.box.x}, ${f.box.y}, ${f.box.width}x${f.box.height}] score ${f.score} yaw ${f.angles.yaw} pitch ${f.angles.pitch} roll ${f.angles.roll}${f.attention ? ' attentive' : ''}${f.age !== undefined ? ` age ${f.age} ${f.gender} (${f.genderScore})` : ''}${f.emotion ? ` ${f.emotion} (${f.emotionScore})` : ''}${f.antispoof !== undefined ? ` real ${f.antispoof}` : ''}\n`).join('');
      });
    } finally {
      await engine.dispose();
    }
    return failed > 0 ? 1 : 0;
  },
};

const pct = (v: number) => (Number.isFinite(v) ? (100 * v).toFixed(1) : '-');
const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '-');

export const evalFaces: Command = {
  name: ['eval', 'faces'],
  summary: 'Face detection recall/AP per size bucket and age/gender accuracy on ../shared/eval/faces',
  help: `Usage: hmp eval faces [options]

Runs the face pipeline over a folder laid out like ../shared/eval/faces:
  wider-val-416/ (annotations.json, images/)  → recall and AP at IoU 0.5 per face height
                                                 bucket (<10, 10-20, 20-40, >=40 px), invalid faces ignored
  utkface-200/ (labels.csv, images/)          → age MAE and gender accuracy (missed face = wrong),
                                                 overall, per gender and per age bin; crops padded to 400x400
  composites (utkface-200 + ../barcode/zxing/falsepositives*)
                                              → recall per pasted-face size (30-40, 40-60, 60-100,
                                                 100-200 px) on 1280x720 frames built at run time:
                                                 UTKFace crops on face-free texture photos, 6 per frame, seeded
  --only descriptor (utkface-200)             → same/different-person descriptor distances: each photo in
                                                 4 synthetic frames (mirror, re-framed, rotated, darkened, noisy);
                                                 runs on this thread, ~3-5 min per model

Options:
  --data DIR         the faces folder (default: ../shared/eval/faces next to the hmp checkout)
  --detector D       detector: both (default), faceboxes or blazeface
  --faceboxes-size N FaceBoxes input long side (default 0 = from --min-face)
  --min-face N       minFaceSize for the WIDER run (default 20: 256 px tiles, FaceBoxes at 2x) and the
                     composites (default 32, the library default)
  --stretched        evaluate WIDER images as stored (stretched to 416x416) instead of restoring their aspect
  --only SET         wider, utk, composites or descriptor (descriptor is not part of the default run)
  --model NAME       embedding model for --only descriptor: faceapi-recognition (default), faceres, mobileface
  --json             print the figures as one JSON object
  --pool N           worker threads (default: cores)
  -h, --help         show this help`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        data: { type: 'string' },
        detector: { type: 'string' },
        'faceboxes-size': { type: 'string' },
        'min-face': { type: 'string' },
        stretched: { type: 'boolean' },
        only: { type: 'string' },
        model: { type: 'string' },
        json: { type: 'boolean' },
        pool: { type: 'string' },
      },
    });
    const dir = resolve(values.data ?? join(packageRoot(), '..', 'shared', 'eval', 'faces'));
    const sets = faceEvalSets(dir);
    if (values.only !== undefined && !['wider', 'utk', 'composites', 'descriptor'].includes(values.only)) {
      process.stderr.write(`hmp eval faces: --only takes wider, utk, composites or descriptor, not ${values.only}\n`);
      return 2;
    }
    if (values.only === 'descriptor') {
      const m = DESCRIPTOR_MODELS[values.model ?? 'faceapi-recognition'];
      if (!m) {
        process.stderr.write(`hmp eval faces: --model takes ${Object.keys(DESCRIPTOR_MODELS).join(', ')}, not ${values.model}\n`);
        return 2;
      }
      if (!sets.utk) {
        process.stderr.write(`hmp eval faces: no utkface-200/labels.csv under ${dir}\n`);
        return 2;
      }
      const r = await evalDescriptorSeparation(await getKernels(), sessionRunner(defaultModelsDir()), sets.utk, m, { onProgress: (d, t) => progress(d, t, 'descriptor') });
      if (values.json) process.stdout.write(JSON.stringify({ data: dir, descriptor: r }) + '\n');
      else {
        process.stdout.write(`\nDescriptor ${r.model} (crop ${r.scale}), ${r.people} people, ${r.samePairs} same / ${r.differentPairs} different pairs, ${r.missed} frames without a face, ${r.duplicates} duplicate photos\n`);
        process.stdout.write(`same      mean ${r.same.mean}  p95 ${r.same.p95}  max ${r.same.max}\n`);
        process.stdout.write(`different 0.1% ${r.different.p01}  1% ${r.different.p1}  mean ${r.different.mean}  min ${r.different.min}\n`);
        process.stdout.write(`EER ${pct(r.eer.rate)}% at ${r.eer.threshold}; same kept at the 0.1%-FAR threshold ${pct(r.atFar001.sameBelow)}%\n`);
        for (const a of r.at) process.stdout.write(`threshold ${a.threshold.toFixed(2)}: same kept ${pct(a.sameBelow)}%, different below ${(100 * a.differentBelow).toFixed(3)}%\n`);
      }
      return 0;
    }
    if (!sets.wider && !sets.utk) {
      process.stderr.write(`hmp eval faces: no wider-val-416/annotations.json or utkface-200/labels.csv under ${dir}\n`);
      return 2;
    }
    const engine = await Engine.create({ verifyModels: false, ...(values.pool !== undefined ? { poolSize: Number(values.pool) } : {}) });
    const out: Record<string, unknown> = { data: dir };
    try {
      if (sets.wider && (values.only === undefined || values.only === 'wider')) {
        const r = await evalWider(engine, sets.wider, {
          ...(values['min-face'] !== undefined ? { minFaceSize: Number(values['min-face']) } : {}),
          ...(values.detector !== undefined ? { detector: values.detector as FaceDetector } : {}),
          ...(values['faceboxes-size'] !== undefined ? { faceboxesSize: Number(values['faceboxes-size']) } : {}),
          restoreAspect: !values.stretched,
          onProgress: (d, t) => progress(d, t, 'wider'),
        });
        out.wider = r;
        if (!values.json) {
          process.stdout.write(`\nWIDER val (${r.byThreshold[0].figures.images} images, detector ${r.detector}${r.detector !== 'blazeface' ? ` (faceboxes ${r.faceboxesSize ? `at ${r.faceboxesSize} px` : 'scaled by minFaceSize'})` : ''}, minFaceSize ${r.minFaceSize}, ${r.restoreAspect ? 'aspect restored' : 'stretched'}, ${r.msPerImage.toFixed(1)} ms/image)\n`);
          process.stdout.write(`bucket   faces  ${r.byThreshold.map((t) => `recall@${t.minScore}`.padStart(12)).join(' ')}  AP(score>=${r.byThreshold[r.byThreshold.length - 1].minScore})\n`);
          const last = r.byThreshold[r.byThreshold.length - 1].figures;
          r.byThreshold[0].figures.buckets.forEach((b, i) => {
            process.stdout.write(`${b.bucket.padEnd(8)} ${String(b.faces).padStart(5)}  ${r.byThreshold.map((t) => pct(t.figures.buckets[i].recall).padStart(12)).join(' ')}  ${pct(last.buckets[i].ap).padStart(8)}\n`);
          });
          for (const t of r.byThreshold) process.stdout.write(`minScore ${t.minScore}: ${t.figures.detections} detections, ${t.figures.falsePositives} unmatched, ${t.figures.largeFalsePositives} unmatched >= 40 px\n`);
          const at = r.attention;
          process.stdout.write(`attention (faces >= 20 px found at 0.5, by WIDER pose label): typical ${at.typical.attentive}/${at.typical.faces} = ${pct(at.typical.rate)} % (${at.typical.unmeasured} with template keypoints; median |yaw| ${at.typical.medianAbsYaw}°), atypical ${at.atypical.attentive}/${at.atypical.faces} = ${pct(at.atypical.rate)} % (${at.atypical.unmeasured} template; median |yaw| ${at.atypical.medianAbsYaw}°)\n`);
        }
      }
      const backgrounds = compositeBackgrounds(join(dir, '..'));
      if (sets.utk && backgrounds.length && (values.only === undefined || values.only === 'composites')) {
        const r = await evalComposites(engine, sets.utk, backgrounds, {
          ...(values['min-face'] !== undefined ? { minFaceSize: Number(values['min-face']) } : {}),
          ...(values.detector !== undefined ? { detector: values.detector as FaceDetector } : {}),
          ...(values['faceboxes-size'] !== undefined ? { faceboxesSize: Number(values['faceboxes-size']) } : {}),
          onProgress: (d, t) => progress(d, t, 'composites'),
        });
        out.composites = r;
        if (!values.json) {
          process.stdout.write(`\n720p composites (${r.frames} frames ${r.width}x${r.height}, detector ${r.detector}, minFaceSize ${r.minFaceSize}, ${r.msPerFrame.toFixed(1)} ms/frame)\n`);
          process.stdout.write(`face px  faces  ${r.byThreshold.map((t) => `recall@${t.minScore}`.padStart(12)).join(' ')}\n`);
          for (const [i, b] of r.byThreshold[0]!.buckets.entries()) {
            process.stdout.write(`${b.bucket.padEnd(8)} ${String(b.faces).padStart(5)}  ${r.byThreshold.map((t) => pct(t.buckets[i]!.recall).padStart(12)).join(' ')}\n`);
          }
          process.stdout.write(`${'all'.padEnd(8)} ${String(r.byThreshold[0]!.all.faces).padStart(5)}  ${r.byThreshold.map((t) => pct(t.all.recall).padStart(12)).join(' ')}\n`);
          for (const t of r.byThreshold) process.stdout.write(`minScore ${t.minScore}: ${t.detections} detections, ${t.unmatched} unmatched\n`);
        }
      }
      if (sets.utk && (values.only === undefined || values.only === 'utk')) {
        const r = await evalUtk(engine, sets.utk, { ...(values.detector !== undefined ? { detector: values.detector as FaceDetector } : {}), onProgress: (d, t) => progress(d, t, 'utk') });
        out.utk = r;
        if (!values.json) {
          const f = r.figures;
          process.stdout.write(`\nUTKFace-200 (${r.faces} crops padded by ${r.pad} px, ${r.missed} without a face found, ${r.attentive} of ${r.faces - r.missed} found faces attentive, ${r.msPerImage.toFixed(1)} ms/image)\n`);
          process.stdout.write(`group     faces  found  age MAE  gender acc\n`);
          for (const x of [f.overall, f.female, f.male, ...f.bins]) {
            process.stdout.write(`${x.bin.padEnd(9)} ${String(x.faces).padStart(5)}  ${String(x.found).padStart(5)}  ${f1(x.ageMae).padStart(7)}  ${pct(x.genderAccuracy).padStart(10)}\n`);
          }
        }
      }
    } finally {
      await engine.dispose();
    }
    if (values.json) process.stdout.write(JSON.stringify(out) + '\n');
    return 0;
  },
};
