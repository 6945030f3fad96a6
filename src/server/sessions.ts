/**
 * Server-held sessions (scene monitors, voice sessions): created by one request, used by later
 * requests and streams, scoped per device, bounded in number and closed when idle or at shutdown.
 * @internal
 */
import { createError } from '../errors.js';

/** Anything a session route keeps open. */
export interface Closable {
  close(): Promise<void> | void;
}

interface Entry {
  value: Closable;
  lastUsed: number;
  /** Streams attached to it right now (an attached session never expires). */
  attached: number;
  /** Extra per-session state of the route (e.g. the last timestamp). */
  meta: Record<string, unknown>;
}

/** The per-app session registry. Keys are (kind, device, id): devices never see each other's sessions. */
export class SessionStore {
  readonly max: number;
  readonly idleMs: number;
  readonly #entries = new Map<string, Entry>();
  readonly #creating = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(max: number, idleMs: number) {
    this.max = max;
    this.idleMs = idleMs;
    this.#timer = setInterval(() => void this.sweep(), Math.min(60_000, Math.max(1000, idleMs / 4)));
    this.#timer.unref();
  }

  static #key(kind: string, owner: string | null, id: string): string {
    return `${kind}\u0000${owner ?? ''}\u0000${id}`;
  }

  /** Open sessions. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Creates and registers a session.
   * @throws HMP_ERR_SERVER_SESSION_EXISTS, HMP_ERR_SERVER_SESSION_LIMIT, and whatever `make` throws
   */
  async create<T extends Closable>(kind: string, owner: string | null, id: string, make: () => Promise<T> | T): Promise<T> {
    const key = SessionStore.#key(kind, owner, id);
    if (this.#entries.has(key) || this.#creating.has(key)) throw createError('HMP_ERR_SERVER_SESSION_EXISTS', kind, JSON.stringify(id));
    if (this.#entries.size + this.#creating.size >= this.max) throw createError('HMP_ERR_SERVER_SESSION_LIMIT', this.max);
    this.#creating.add(key);
    try {
      const value = await make();
      this.#entries.set(key, { value, lastUsed: Date.now(), attached: 0, meta: {} });
      return value;
    } finally {
      this.#creating.delete(key);
    }
  }

  /** The session and its route state, or undefined. Marks it used. */
  find<T extends Closable>(kind: string, owner: string | null, id: string): { value: T; meta: Record<string, unknown> } | undefined {
    const e = this.#entries.get(SessionStore.#key(kind, owner, id));
    if (!e) return undefined;
    e.lastUsed = Date.now();
    return { value: e.value as T, meta: e.meta };
  }

  /** @throws HMP_ERR_SERVER_SESSION_UNKNOWN */
  get<T extends Closable>(kind: string, owner: string | null, id: string): { value: T; meta: Record<string, unknown> } {
    const f = this.find<T>(kind, owner, id);
    if (!f) throw createError('HMP_ERR_SERVER_SESSION_UNKNOWN', kind, JSON.stringify(id));
    return f;
  }

  /** Marks a stream attached (+1) or detached (-1). */
  attach(kind: string, owner: string | null, id: string, delta: 1 | -1): void {
    const e = this.#entries.get(SessionStore.#key(kind, owner, id));
    if (e) {
      e.attached += delta;
      e.lastUsed = Date.now();
    }
  }

  /**
   * Closes and forgets a session.
   * @throws HMP_ERR_SERVER_SESSION_UNKNOWN
   */
  async close(kind: string, owner: string | null, id: string): Promise<void> {
    const key = SessionStore.#key(kind, owner, id);
    const e = this.#entries.get(key);
    if (!e) throw createError('HMP_ERR_SERVER_SESSION_UNKNOWN', kind, JSON.stringify(id));
    this.#entries.delete(key);
    await e.value.close();
  }

  /** Closes sessions idle for longer than `idleMs` (none with a stream attached). */
  async sweep(now = Date.now()): Promise<number> {
    const stale = [...this.#entries].filter(([, e]) => e.attached === 0 && now - e.lastUsed > this.idleMs);
    for (const [k] of stale) this.#entries.delete(k);
    await Promise.allSettled(stale.map(([, e]) => e.value.close()));
    return stale.length;
  }

  /** Closes every session (shutdown). */
  async closeAll(): Promise<void> {
    clearInterval(this.#timer);
    const all = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.allSettled(all.map((e) => e.value.close()));
  }
}
