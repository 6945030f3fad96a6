/**
 * Device authentication (bearer tokens, constant-time) and per-device rate limiting.
 * @internal
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Checks bearer tokens against the configured device tokens without leaking timing. */
export class TokenAuth {
  readonly #devices: { device: string; hash: Buffer }[];

  constructor(tokens: Record<string, string>) {
    this.#devices = Object.entries(tokens).map(([device, token]) => ({ device, hash: sha256(token) }));
  }

  /** True when tokens are configured (every non-public route then needs one). */
  get enabled(): boolean {
    return this.#devices.length > 0;
  }

  /**
   * The device whose token the `Authorization` header carries, or undefined.
   * Hashing first gives equal-length inputs to `timingSafeEqual`, and every configured token is
   * compared (no early exit), so timing reveals neither the token nor which device matched.
   */
  authenticate(header: string | undefined): string | undefined {
    if (typeof header !== 'string') return undefined;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return undefined;
    const given = sha256(m[1]!);
    let found: string | undefined;
    for (const d of this.#devices) {
      if (timingSafeEqual(given, d.hash) && found === undefined) found = d.device;
    }
    return found;
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Fixed-window request counter per key (device id, or client address without tokens). */
export class RateLimiter {
  readonly max: number;
  readonly windowMs: number;
  readonly #windows = new Map<string, { start: number; count: number }>();
  #lastSweep = 0;

  constructor(max: number, windowMs: number) {
    this.max = max;
    this.windowMs = windowMs;
  }

  /** Counts one request; returns 0 if allowed, else the ms until the window resets. */
  take(key: string, now = Date.now()): number {
    // Drop expired windows now and then, so keys from departed clients do not accumulate.
    if (now - this.#lastSweep > this.windowMs * 10) {
      for (const [k, w] of this.#windows) if (now - w.start >= this.windowMs) this.#windows.delete(k);
      this.#lastSweep = now;
    }
    let w = this.#windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.#windows.set(key, w);
    }
    w.count++;
    return w.count <= this.max ? 0 : Math.max(1, w.start + this.windowMs - now);
  }
}
