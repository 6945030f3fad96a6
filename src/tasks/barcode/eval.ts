/**
 * Scoring against ZXing's black-box suite as `zxing_testspec/expectations.json` describes it:
 * per folder and rotation (clockwise, exact 90° steps), the images decoded correctly (format,
 * text and the expected metadata hmp can observe) against `mustPass` / `tryHarderPass`,
 * misreads against `maxMisreads`, and false positives on the negative folders against
 * `maxAllowedFalsePositives`.
 *
 * hmp returns every code it finds while ZXing's Java tests look at one result: an image is
 * *correct* if the expected code is among the results and a *misread* if codes came back but
 * none is the expected one. Symbology identifiers are compared by symbology (`]I`), not by
 * the modifier digit, which zxing-cpp and ZXing Java set differently.
 * @internal
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BarcodeCode } from './result.js';

/** One rotation's thresholds. */
export interface RotationSpec {
  rotation: 0 | 90 | 180 | 270;
  mustPass?: number;
  tryHarderPass?: number;
  maxMisreads?: number;
  maxTryHarderMisreads?: number;
  maxAllowedFalsePositives?: number;
}

/** One folder of the suite. */
export interface FolderSpec {
  folder: string;
  /** ZXing / WeChat format name expected (`undefined` for negative folders). */
  format: string | undefined;
  negative: boolean;
  tests: RotationSpec[];
}

/** An image and what it should decode to. */
export interface EvalImage {
  file: string;
  stem: string;
  /** Expected text (UTF-8 `.txt`, or ISO-8859-1 `.bin` as ZXing reads it). */
  expected: string | undefined;
  /** Expected metadata (Java properties). */
  metadata: Record<string, string>;
}

/** Metadata keys hmp can check; ZXing's ERRORS_CORRECTED / ERASURES_CORRECTED are not reported by zxing-cpp. */
export const CHECKED_METADATA = Object.freeze(['SYMBOLOGY_IDENTIFIER', 'READER_INIT']);

/** Reads `expectations.json` next to the suite (`<data>/zxing_testspec/expectations.json`). */
export function loadSpec(dataDir: string): FolderSpec[] {
  const file = join(dataDir, 'zxing_testspec', 'expectations.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as { folders: Record<string, { format?: string | null; tests: Record<string, number>[] }[]> };
  const out: FolderSpec[] = [];
  for (const [folder, entries] of Object.entries(json.folders)) {
    for (const e of entries) {
      if (!e.tests || e.tests.length === 0) continue; // pdf417-4: structured append across files, no black-box test
      const negative = e.tests.some((t) => t.maxAllowedFalsePositives !== undefined);
      out.push({
        folder,
        format: e.format ?? undefined,
        negative,
        tests: e.tests.map((t) => ({ ...t, rotation: Math.round(t.rotation ?? 0) as RotationSpec['rotation'] })),
      });
    }
  }
  return out.sort((a, b) => a.folder.localeCompare(b.folder));
}

function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^#!=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** Lists a folder's images (ZXing's glob: jpg, jpeg, gif, png) with expectations. */
export function listImages(dataDir: string, folder: string): EvalImage[] {
  const dir = join(dataDir, 'zxing', folder);
  const files = readdirSync(dir).filter((f) => /\.(jpe?g|gif|png)$/i.test(f)).sort();
  return files.map((file) => {
    const stem = file.slice(0, file.indexOf('.'));
    const txt = join(dir, `${stem}.txt`);
    const bin = join(dir, `${stem}.bin`);
    const meta = join(dir, `${stem}.metadata.txt`);
    const expected = existsSync(txt) ? readFileSync(txt, 'utf8') : existsSync(bin) ? readFileSync(bin, 'latin1') : undefined;
    return { file: join(dir, file), stem, expected, metadata: existsSync(meta) ? parseProperties(readFileSync(meta, 'utf8')) : {} };
  });
}

/** What a decoder returned, reduced to what scoring needs. */
export type Scored = Pick<BarcodeCode, 'scanType' | 'text' | 'symbologyIdentifier' | 'readerInit'>;

/** Whether a code is the expected one. */
export function isExpected(c: Scored, format: string | undefined, img: EvalImage): boolean {
  if (img.expected === undefined || c.scanType !== format || c.text !== img.expected) return false;
  // The symbology character must match; the modifier digit is not compared because zxing-cpp
  // sets it per ISO/IEC 15424 where ZXing Java reports 0 (ITF ]I1 = check digit verified,
  // PDF417 ]L2 = ECI protocol), which says nothing about whether the content was read right.
  const si = img.metadata.SYMBOLOGY_IDENTIFIER;
  if (si !== undefined && c.symbologyIdentifier.slice(0, 2) !== si.slice(0, 2)) return false;
  const ri = img.metadata.READER_INIT;
  if (ri !== undefined && String(c.readerInit) !== ri.trim().toLowerCase()) return false;
  return true;
}

/** Per-rotation tally of one decoder on one folder. */
export interface Tally {
  images: number;
  correct: number;
  misreads: number;
  /** Negative folders: images where anything was decoded. */
  falsePositives: number;
  /** Codes decoded correctly (= correct for single-code folders). */
  ms: number[];
}

export const emptyTally = (): Tally => ({ images: 0, correct: 0, misreads: 0, falsePositives: 0, ms: [] });

/** Adds one image's outcome to a tally. */
export function score(t: Tally, spec: FolderSpec, img: EvalImage, codes: Scored[], ms: number): { correct: boolean; misread: boolean } {
  t.images++;
  t.ms.push(ms);
  if (spec.negative) {
    if (codes.length > 0) t.falsePositives++;
    return { correct: codes.length === 0, misread: codes.length > 0 };
  }
  // ZXing's tests see one result: wrong result = misread. hmp returns every code, so an image
  // is a misread when codes came back and none is the expected one (a second, real barcode on
  // the same product, like a Japanese book's price code, is not a misread).
  const correct = codes.some((c) => isExpected(c, spec.format, img));
  const misread = !correct && codes.length > 0;
  if (correct) t.correct++;
  if (misread) t.misreads++;
  return { correct, misread };
}

/** The two multi-code checks of ZXing's MultiTestCase / MultiQRCodeTestCase. */
export const MULTI_EXPECTATIONS: readonly { folder: string; file: string; codes: { scanType: string; text: string }[] }[] = Object.freeze([
  { folder: 'multi-1', file: '1.png', codes: [{ scanType: 'UPC_A', text: '031415926531' }, { scanType: 'QR_CODE', text: 'www.airtable.com/jobs' }] },
  {
    folder: 'multi-qrcode-1',
    file: '1.png',
    codes: [
      { scanType: 'QR_CODE', text: 'You earned the class a 5 MINUTE DANCE PARTY!!  Awesome!  Way to go!  Let\'s boogie!' },
      { scanType: 'QR_CODE', text: 'You earned the class 5 EXTRA MINUTES OF RECESS!!  Fabulous!!  Way to go!!' },
      { scanType: 'QR_CODE', text: 'You get to SIT AT MRS. SIGMON\'S DESK FOR A DAY!!  Awesome!!  Way to go!! Guess I better clean up! :)' },
      { scanType: 'QR_CODE', text: 'You get to CREATE OUR JOURNAL PROMPT FOR THE DAY!  Yay!  Way to go!  ' },
    ],
  },
]);

/** Percentile of a sample (nearest rank). */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
