import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, type EngineOptions } from '../../dist/src/index.js';
import { startServer, type RunningServer } from '../../dist/src/server/server.js';
import type { AppOptions } from '../../dist/src/server/app.js';
import type { ServerOptions } from '../../dist/src/server/options.js';
import { EVAL } from '../helpers.js';

export interface Harness {
  engine: Engine;
  server: RunningServer;
  url: string;
  close(): Promise<void>;
}

/** A real engine and server on 127.0.0.1 with a free port. */
export async function startHarness(server: ServerOptions = {}, engine: EngineOptions = {}, extra: Omit<AppOptions, 'engine' | 'server'> = {}): Promise<Harness> {
  const e = await Engine.create({ poolSize: 1, verifyModels: false, ...engine });
  try {
    const s = await startServer({ engine: e, server: { port: 0, ...server }, ...extra });
    return {
      engine: e,
      server: s,
      url: s.url,
      async close() {
        await s.close();
        await e.dispose();
      },
    };
  } catch (err) {
    await e.dispose();
    throw err;
  }
}

/** POST helper returning status and parsed JSON. */
export async function post(url: string, body: string | Uint8Array, contentType: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': contentType, ...headers } });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {}, headers: res.headers };
}

/** The first n images of a UTKFace folder (200x200 JPEG crops). */
export function faceImages(n: number): Buffer[] {
  const dir = join(EVAL, 'faces', 'utkface-200', 'images');
  return readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().slice(0, n).map((f) => readFileSync(join(dir, f)));
}

/** One image of a ZXing black-box folder and its expected text. */
export function zxingSample(folder: string, stem: string): { image: Buffer; text: string } {
  const dir = join(EVAL, 'barcode', 'zxing', folder);
  return { image: readFileSync(join(dir, `${stem}.png`)), text: readFileSync(join(dir, `${stem}.txt`), 'utf8') };
}
