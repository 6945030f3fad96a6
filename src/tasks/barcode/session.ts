/**
 * Continuous scanning of a camera stream: the same code held in front of a kiosk for two
 * seconds is reported once, optionally only after two frames agree, optionally only inside a
 * region of interest.
 */
import type { Engine } from '../../engine/engine.js';
import { createError } from '../../errors.js';
import * as is from '../../is.js';
import type { ImageInput } from '../../runtime/image/index.js';
import { scanCode } from './index.js';
import { resolveScanOptions, type ScanCodeOptions } from './options.js';
import type { BarcodeCode, ScanCodeResult } from './result.js';

/** Options of a {@link ScanSession}: the per-frame scan options plus stream behaviour. */
export interface ScanSessionOptions extends Omit<ScanCodeOptions, 'signal'> {
  /**
   * A code seen again within this many ms of its last sighting is not reported again; it is
   * reported anew once it has been out of view for longer. Default: 2000.
   */
  dedupeMs?: number;
  /**
   * Frames that must contain a code (consecutively, within `dedupeMs`) before it is reported:
   * 1 reports on first sight, 2 guards against a one-frame misread. Default: 1.
   */
  confirmFrames?: 1 | 2;
  /** Clock in ms (tests pass a fake one). Default: `performance.now`. */
  now?: () => number;
}

/** What {@link ScanSession.scan} resolves to. */
export interface SessionScanResult {
  /** Codes reported for the first time (after confirmation and deduplication). */
  newCodes: BarcodeCode[];
  /** The frame's full scan result (every code decoded in this frame). */
  frame: ScanCodeResult;
}

const SESSION_KEYS = ['dedupeMs', 'confirmFrames', 'now'] as const;

/**
 * A continuous scanning session over one camera stream.
 *
 * Frames are scanned in the order given (one at a time, so a slow frame never lets a later one
 * overtake it); each resolves to the codes that are new for the stream.
 * @example
 * const session = new ScanSession(engine, { dedupeMs: 2000, confirmFrames: 2, roi: { x: 0.25, y: 0.25, width: 0.5, height: 0.5 } });
 * const { newCodes } = await session.scan({ data: nv21, width: 1280, height: 720, format: 'nv21' });
 * // frame 1: newCodes [] (waiting for a second frame); frame 2: [{ scanType: 'EAN_13', text: '6901234567892', ... }]
 * await session.close();
 */
export class ScanSession {
  readonly #engine: Engine;
  readonly #scanOptions: ScanCodeOptions;
  readonly #dedupeMs: number;
  readonly #confirmFrames: 1 | 2;
  readonly #now: () => number;
  /** key → last time seen, and whether it has been reported during the current sighting. */
  readonly #seen = new Map<string, { last: number; streak: number; reported: boolean }>();
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #abort = new AbortController();

  /**
   * @throws HMP_ERR_OPTION_UNKNOWN, HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE, HMP_ERR_BARCODE_FORMAT
   */
  constructor(engine: Engine, options: ScanSessionOptions = {}) {
    if (!is.isObject(options)) throw is.invalid('options object', 'options', options);
    const { dedupeMs, confirmFrames, now, ...scan } = options;
    for (const k of Object.keys(scan)) if ((SESSION_KEYS as readonly string[]).includes(k)) throw is.invalid('session option', k, k);
    if ('signal' in scan) throw createError('HMP_ERR_OPTION_UNKNOWN', 'options.signal', 'session options (use close() to stop)');
    resolveScanOptions(scan); // validate once, up front
    this.#engine = engine;
    this.#scanOptions = { ...scan };
    this.#dedupeMs = dedupeMs === undefined ? 2000 : is.integer(dedupeMs, 'options.dedupeMs', 0, 3_600_000);
    this.#confirmFrames = confirmFrames === undefined ? 1 : (is.integer(confirmFrames, 'options.confirmFrames', 1, 2) as 1 | 2);
    if (now !== undefined && typeof now !== 'function') throw is.invalid('function returning ms', 'options.now', now);
    this.#now = typeof now === 'function' ? (now as () => number) : () => performance.now();
  }

  /**
   * Scans one frame and returns the codes new to the stream.
   * @throws HMP_ERR_BARCODE_SESSION_CLOSED after {@link close}; otherwise as {@link scanCode}
   */
  scan(frame: ImageInput): Promise<SessionScanResult> {
    if (this.#closed) return Promise.reject(createError('HMP_ERR_BARCODE_SESSION_CLOSED'));
    // Start the scan now (validation and transfer happen synchronously), apply results in order.
    const pending = scanCode(this.#engine, frame, { ...this.#scanOptions, signal: this.#abort.signal });
    const result = this.#queue.then(() => pending).then((r) => ({ newCodes: this.#update(r.codes), frame: r }));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  #update(codes: BarcodeCode[]): BarcodeCode[] {
    const t = this.#now();
    const out: BarcodeCode[] = [];
    const here = new Set<string>();
    for (const c of codes) {
      const key = `${c.format}\u0000${c.text}`;
      if (here.has(key)) continue;
      here.add(key);
      const s = this.#seen.get(key);
      if (!s || t - s.last > this.#dedupeMs) {
        // New sighting (never seen, or out of view longer than the window).
        const entry = { last: t, streak: 1, reported: false };
        this.#seen.set(key, entry);
        if (this.#confirmFrames === 1) { entry.reported = true; out.push(c); }
        continue;
      }
      s.last = t;
      s.streak++;
      if (!s.reported && s.streak >= this.#confirmFrames) { s.reported = true; out.push(c); }
    }
    // A code missing from this frame breaks its confirmation streak (not its dedupe window).
    for (const [key, s] of this.#seen) {
      if (!here.has(key) && !s.reported) s.streak = 0;
      if (t - s.last > this.#dedupeMs) this.#seen.delete(key);
    }
    return out;
  }

  /** Forgets every code seen, so each is reported again on its next sighting. */
  reset(): void {
    this.#seen.clear();
  }

  /** Stops the session: frames in flight are aborted; later `scan()` calls fail. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    await this.#queue;
  }
}
