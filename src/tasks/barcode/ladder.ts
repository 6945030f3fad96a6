/**
 * The robustness ladder. Pass 1 (`quick`) is zxing-cpp without try-harder (ZXing's "must pass"
 * mode: a few scan lines, no exhaustive search), which reads a clear code in a camera frame in
 * about a millisecond where the exhaustive search takes tens; pass 2 (`fast`) is zxing-cpp
 * exactly as zxing-wasm's defaults call it (try harder, 90° rotations, inversion,
 * downscaling), so an image costs at most a little more than zxing-wasm costs. Both always run
 * (the second only if the first found nothing); the budget governs the rest.
 * Only when they find nothing do later passes run, each on a transformed copy aimed at what a
 * fixed-focus POS camera gets wrong: glare, shadows and low contrast (local contrast
 * normalisation under three binarisers), small codes (2x upscaling), blur (unsharp masking,
 * then sharpening plus upscaling). The image work runs in WASM (wasm/src/enhance.rs) in the
 * worker; the TypeScript reference (image.ts) is the default elsewhere.
 *
 * A pass that sees a transformed image can invent bars: 1D symbologies carry at most a check
 * digit, so a 1D result that only such a "weak" pass produced is held back until a second,
 * different pass reads the same text with enough scan lines and no rival text on the same bars
 * (see {@link CONFIRM_LINES}). 2D symbologies carry Reed-Solomon error correction and are
 * accepted from any pass.
 *
 * The budget bounds each call: passes run only while their predicted time fits what is left.
 * @internal
 */
import { performance } from 'node:perf_hooks';
import { readGray, type ReaderOptions, type ReadResult } from '../../runtime/zxing.js';
import { formatInfo } from './formats.js';
import { refEnhancer, rotateAny, type Gray } from './image.js';
import type { Enhancer } from '../../runtime/enhance-kernels.js';
import { canonical, toCode, type BarcodeCode, type Point } from './result.js';

/** What one pass looks at. */
interface View {
  image: Gray;
  /** Pass coordinates → input coordinates. */
  map: (p: Point) => Point;
}

/** One rung of the ladder. */
export interface Pass {
  readonly name: string;
  /**
   * The kind of image the pass reads (`'normalize'`, `'sharpen'`, ...): passes of one family see
   * the same transformed pixels, so their agreement is weaker evidence than two families'.
   */
  readonly family: string;
  /** Results of a weak pass need confirmation by another pass (1D only). */
  readonly weak: boolean;
  /** Builds the image the pass reads; `undefined` skips the pass for this image. */
  readonly view: (g: Gray, enh: Enhancer) => View | undefined;
  /** zxing-cpp options on top of the call's (formats, add-ons, text mode). */
  readonly options: ReaderOptions;
  /**
   * Expected time relative to the fast pass on an image where that found nothing (median
   * over ZXing's suite, `hmp eval barcode --pass-data`): with the fast pass's own time on this
   * image it predicts whether the pass still fits the budget.
   */
  readonly cost: number;
}

const identity = (g: Gray): View => ({ image: g, map: (p) => p });
const scaled = (g: Gray, s: number, enh: Enhancer): View => ({ image: enh.resize(g, s), map: (p) => ({ x: p.x / s, y: p.y / s }) });
const minSide = (g: Gray) => Math.min(g.width, g.height);
const maxSide = (g: Gray) => Math.max(g.width, g.height);
const same = (image: Gray): View => ({ image, map: (p) => p });

/** Scale that brings the long side to `target` px (at most 3x). */
function upTo(g: Gray, target: number): number {
  return Math.min(3, target / maxSide(g));
}

/**
 * Adds a white quiet zone around the image: a code cropped to its edges (a tight region of
 * interest, a sticker photographed edge to edge) has none, and zxing-cpp's detectors need one.
 */
function padded(g: Gray): View {
  const m = Math.max(8, Math.round(minSide(g) / 10));
  const W = g.width + 2 * m;
  const out = new Uint8Array(W * (g.height + 2 * m)).fill(255);
  for (let y = 0; y < g.height; y++) out.set(g.data.subarray(y * g.width, (y + 1) * g.width), (y + m) * W + m);
  return { image: { data: out, width: W, height: g.height + 2 * m }, map: (p) => ({ x: p.x - m, y: p.y - m }) };
}

/** Small tightly-cropped codes: upscaled (long side → 800 px), then padded. */
function padUp(g: Gray, enh: Enhancer): View {
  const s = upTo(g, 800);
  const v = padded(enh.resize(g, s));
  return { image: v.image, map: (p) => { const q = v.map(p); return { x: q.x / s, y: q.y / s }; } };
}

function tilted(g: Gray, deg: number): View {
  const { image, toSource } = rotateAny(g, deg);
  return { image, map: (p) => toSource(p.x, p.y) };
}

/** Unsharp-mask radius: about the blur width of a fixed-focus lens at this resolution. */
const sharpRadius = (g: Gray) => Math.max(1, Math.round(minSide(g) / 240));
/** Local-normalisation window: a few modules of a code filling a sixth of the frame. */
const normRadius = (g: Gray) => Math.max(8, Math.round(minSide(g) / 16));
/** Shared by the passes that read the same transformed image under different binarisers (cached per call). */
const normalizedView = (g: Gray, e: Enhancer): View => same(e.normalizeLocal(g, normRadius(g)));
const sharpenedView = (g: Gray, e: Enhancer): View => same(e.sharpen(g, sharpRadius(g), 1.5));

/**
 * The ladder, in the order passes run. Chosen with `hmp eval barcode --pass-data` over ZXing's
 * suite at every rotation (per-folder, not per-image): a greedy selection kept the passes that
 * add correct reads, cheapest family first. Local contrast normalisation under three
 * binarisers rescues most of the blurred, shadowed retail photos (ean13-2/-4, upca-2/-5,
 * upce-3); sharpening rescues soft codes (upca-1, pdf417-2); the 2x upscale small 2D codes
 * (qrcode-2/-4); sharpening plus upscaling small soft 1D codes (upca-4, upce-3). Passes that rescued nothing on the suite
 * (tilts, downscaling, denoising, the global-histogram binariser on the raw image, quiet-zone
 * padding) are kept in {@link CANDIDATE_PASSES} for the data to re-admit.
 */
export const PASSES: readonly Pass[] = Object.freeze([
  { name: 'quick', family: 'raw', weak: false, view: identity, options: { tryHarder: false }, cost: 0.1 },
  { name: 'fast', family: 'raw', weak: false, view: identity, options: {}, cost: 1 },
  { name: 'normalize', family: 'normalize', weak: true, view: normalizedView, options: {}, cost: 2 },
  { name: 'normalize-hist', family: 'normalize', weak: true, view: normalizedView, options: { binarizer: 'GlobalHistogram' }, cost: 1 },
  { name: 'normalize-fixed', family: 'normalize', weak: true, view: normalizedView, options: { binarizer: 'FixedThreshold' }, cost: 1.2 },
  { name: 'sharpen', family: 'sharpen', weak: true, view: sharpenedView, options: {}, cost: 1.7 },
  { name: 'sharpen-hist', family: 'sharpen', weak: true, view: sharpenedView, options: { binarizer: 'GlobalHistogram' }, cost: 1 },
  { name: 'sharpen-strong', family: 'sharpen', weak: true, view: (g, e) => same(e.sharpen(g, Math.max(2, Math.round(minSide(g) / 120)), 2.5)), options: {}, cost: 1.5 },
  { name: 'upscale2', family: 'upscale', weak: true, view: (g, e) => (maxSide(g) < 1400 ? scaled(g, Math.min(2, 2000 / maxSide(g)), e) : undefined), options: {}, cost: 4.5 },
  { name: 'sharpen-upscale', family: 'sharpen-upscale', weak: true, view: (g, e) => (maxSide(g) < 900 ? scaled(e.sharpen(g, 1, 1.0), upTo(g, 1400), e) : undefined), options: { binarizer: 'GlobalHistogram' }, cost: 8 },
] satisfies Pass[]);

/**
 * Passes measured by `hmp eval barcode --pass-data` but not in the ladder: the data decides
 * whether one earns a rung. @internal
 */
export const CANDIDATE_PASSES: readonly Pass[] = Object.freeze([
  { name: 'histogram', family: 'raw', weak: true, view: identity, options: { binarizer: 'GlobalHistogram' }, cost: 1 },
  { name: 'upscale', family: 'upscale', weak: true, view: (g, e) => (maxSide(g) < 900 ? scaled(g, upTo(g, 1400), e) : undefined), options: {}, cost: 6 },
  { name: 'denoise', family: 'raw', weak: true, view: identity, options: { tryDenoise: true, formats: ['AllMatrix'] }, cost: 1 },
  { name: 'downscale', family: 'downscale', weak: true, view: (g, e) => (minSide(g) > 300 ? scaled(e.blur(g, 1), 0.5, e) : undefined), options: { tryDownscale: false }, cost: 0.5 },
  { name: 'tilt+30', family: 'tilt', weak: true, view: (g) => tilted(g, 30), options: {}, cost: 2 },
  { name: 'tilt-30', family: 'tilt', weak: true, view: (g) => tilted(g, -30), options: {}, cost: 2 },
  { name: 'hist-upscale', family: 'upscale', weak: true, view: (g, e) => (maxSide(g) < 900 ? scaled(g, upTo(g, 1400), e) : undefined), options: { binarizer: 'GlobalHistogram' }, cost: 6 },
  { name: 'nodownscale', family: 'raw', weak: true, view: identity, options: { tryDownscale: false }, cost: 1 },
  { name: 'pad', family: 'pad', weak: true, view: padded, options: {}, cost: 1.2 },
  { name: 'pad-upscale', family: 'pad', weak: true, view: (g, e) => (maxSide(g) < 400 ? padUp(g, e) : undefined), options: {}, cost: 4 },
] satisfies Pass[]);

/** Per-call settings the ladder needs. */
export interface LadderConfig {
  /** zxing-cpp reader formats (`[]` = all). */
  readerFormats: string[];
  /** The names the caller asked for (for UPC-A naming), `undefined` = all. */
  requested: readonly string[] | undefined;
  /** Most codes to return. */
  maxCodes: number;
  /** Time after which no further pass starts, ms from the ladder's start. */
  budgetMs: number;
  /** Run passes after `fast`. */
  ladder: boolean;
  /** Require a second pass for 1D results of weak passes. */
  confirm: boolean;
  eanAddOn: 'Ignore' | 'Read' | 'Require';
}

/** Runs one pass; exported for the eval's per-pass report and the tests. */
export function runPass(
  g: Gray,
  pass: Pass,
  cfg: Pick<LadderConfig, 'readerFormats' | 'maxCodes' | 'eanAddOn'>,
  enh: Enhancer = refEnhancer,
  views?: Map<Pass['view'], View | undefined>,
): { results: ReadResult[]; view: View } | undefined {
  // Passes sharing a view function (one image, several binarisers) build it once per call.
  let view = views?.get(pass.view);
  if (view === undefined && !views?.has(pass.view)) {
    view = pass.view(g, enh);
    views?.set(pass.view, view);
  }
  if (!view) return undefined;
  let formats = cfg.readerFormats;
  if (pass.options.formats) {
    // A pass limited to matrix codes still honours the caller's format filter.
    formats = cfg.readerFormats.length > 0 ? cfg.readerFormats.filter((f) => !formatInfo(f).linear) : [...pass.options.formats];
    if (formats.length === 0) return undefined;
  }
  const opts: ReaderOptions = {
    ...pass.options,
    formats: formats as ReaderOptions['formats'],
    maxNumberOfSymbols: cfg.maxCodes,
    eanAddOnSymbol: cfg.eanAddOn,
    textMode: 'Plain',
  };
  return { results: readGray(view.image.data, view.image.width, view.image.height, opts), view };
}

interface Candidate {
  code: BarcodeCode;
  key: string;
  linear: boolean;
  passes: string[];
  families: Set<string>;
  strong: boolean;
  /** Scan lines that read this text, summed over the passes that found it. */
  lines: number;
  /** Axis-aligned box in input coordinates [x0, y0, x1, y1]. */
  box: [number, number, number, number];
}

/**
 * A weak 1D result is confirmed when passes of two different families read it with at least
 * {@link CONFIRM_LINES} scan lines in all (or three passes of one family with
 * {@link CONFIRM_LINES_ONE_FAMILY}, or two with {@link CONFIRM_LINES_TWO_PASSES}), and no different 1D text read at the same place has half its
 * support or more. Measured on ZXing's suite (`--pass-data`): misreads of transformed images come
 * from few scan lines (2-5 per pass), are often repeated by the other binarisers of the same
 * transformed image, and sit on the same bars as the true code, which other passes read with
 * many more lines; a second real code (a Japanese book's price code) sits elsewhere and does
 * not block the first. With this rule no ladder pass misread on the suite.
 */
const CONFIRM_LINES = 6;
const CONFIRM_LINES_ONE_FAMILY = 10;
/** Two passes of one family suffice when together they read the text on this many scan lines. */
const CONFIRM_LINES_TWO_PASSES = 20;
const CONFLICT_MARGIN = 2;

function bounds(c: BarcodeCode): [number, number, number, number] {
  const ps = Object.values(c.position);
  const xs = ps.map((p) => p.x), ys = ps.map((p) => p.y);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** Boxes overlap once 1D boxes (often a single scan line tall) are grown by half their length vertically. */
function overlaps(a: Candidate['box'], b: Candidate['box']): boolean {
  const ga = (a[2] - a[0]) / 2, gb = (b[2] - b[0]) / 2;
  return !(a[2] < b[0] || b[2] < a[0] || a[3] + ga < b[1] - gb || b[3] + gb < a[1] - ga);
}

function confirmed(c: Candidate, all: Candidate[]): boolean {
  const enough =
    (c.families.size >= 2 && c.lines >= CONFIRM_LINES) ||
    (c.passes.length >= 3 && c.lines >= CONFIRM_LINES_ONE_FAMILY) ||
    (c.passes.length >= 2 && c.lines >= CONFIRM_LINES_TWO_PASSES);
  if (!enough) return false;
  return !all.some((d) => d !== c && d.linear && d.lines * CONFLICT_MARGIN > c.lines && overlaps(c.box, d.box));
}

/** Reading order: top to bottom, then left to right (by the code's centre). */
function readingOrder(a: BarcodeCode, b: BarcodeCode): number {
  const ca = centre(a), cb = centre(b);
  return Math.abs(ca.y - cb.y) > 8 ? ca.y - cb.y : ca.x - cb.x;
}

function centre(c: BarcodeCode): Point {
  const p = c.position;
  return { x: (p.topLeft.x + p.topRight.x + p.bottomRight.x + p.bottomLeft.x) / 4, y: (p.topLeft.y + p.topRight.y + p.bottomRight.y + p.bottomLeft.y) / 4 };
}

/**
 * Runs the ladder until a pass yields an accepted code or the budget is spent.
 *
 * The budget bounds the whole call, not just when the last pass may start: zxing-cpp cannot be
 * interrupted, so each pass after `fast` runs only if its predicted time fits what is left.
 * The prediction is the fast pass's own time on this image (a full search of the same pixels
 * on this machine at this moment, load included) times the pass's relative {@link Pass.cost},
 * corrected by how far this call's earlier predictions were off.
 * `checkpoint` is called between passes (deadline / abort).
 */
export function runLadder(g: Gray, cfg: LadderConfig, checkpoint: () => void = () => {}, enh: Enhancer = refEnhancer): { codes: BarcodeCode[]; passes: string[] } {
  const t0 = performance.now();
  const cands = new Map<string, Candidate>();
  const ran: string[] = [];
  const views = new Map<Pass['view'], View | undefined>();
  let fastMs = 0;
  // Actual / predicted time of this call's ladder passes so far (1 until measured).
  let drift = 1;
  for (const pass of PASSES) {
    if (pass.weak) {
      if (!cfg.ladder) break;
      const left = cfg.budgetMs - (performance.now() - t0);
      if (left <= 0) break;
      if (fastMs * pass.cost * drift > left) continue;
      checkpoint();
    }
    const p0 = performance.now();
    const out = runPass(g, pass, cfg, enh, views);
    if (!out) continue;
    const ms = performance.now() - p0;
    if (pass.name === 'fast') fastMs = Math.max(ms, 0.5);
    else if (pass.weak) drift = Math.max(drift, ms / (fastMs * pass.cost));
    ran.push(pass.name);
    for (const r of out.results) {
      const c = canonical(r, cfg.requested);
      const key = `${c.format}\u0000${c.text}`;
      const prev = cands.get(key);
      if (prev) {
        if (!prev.passes.includes(pass.name)) {
          prev.passes.push(pass.name);
          prev.families.add(pass.family);
          prev.lines += r.lineCount;
        }
        prev.strong ||= !pass.weak;
        continue;
      }
      const code = toCode(r, cfg.requested, pass.name, out.view.map);
      cands.set(key, { code, key, linear: formatInfo(r.format).linear, passes: [pass.name], families: new Set([pass.family]), strong: !pass.weak, lines: r.lineCount, box: bounds(code) });
    }
    const all = [...cands.values()];
    const accepted = all.filter((c) => c.strong || !c.linear || !cfg.confirm || confirmed(c, all));
    if (accepted.length > 0) {
      const codes = accepted.map((c) => {
        if (!c.strong && c.linear && c.passes.length >= 2) c.code.confirmedBy = c.passes[1];
        return c.code;
      });
      return { codes: codes.sort(readingOrder).slice(0, cfg.maxCodes), passes: ran };
    }
  }
  return { codes: [], passes: ran };
}
