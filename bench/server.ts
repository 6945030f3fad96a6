/**
 * JSAPI server benchmarks (HTTP on loopback, real engine): fixed inputs, 8 requests in flight per
 * iteration. The autocannon load curve (rising concurrency, overload) is bench/server-load.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Engine } from '../src/index.js';
import { startServer, type RunningServer } from '../src/server/server.js';
import type { BenchDef } from './types.js';

const CONCURRENCY = 8;
const EVAL = join(import.meta.dirname, '..', '..', '..', 'shared', 'eval');
const QR = join(EVAL, 'barcode', 'zxing', 'qrcode-1', '1.png');

let engine: Engine | undefined;
let server: RunningServer | undefined;
let body: Buffer = Buffer.alloc(0);

/** A fixed 640x480 JPEG (a rendered gradient with text-like noise): the size of a camera still. */
export async function renderedJpeg(): Promise<Buffer> {
  const w = 640;
  const h = 480;
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const n = (Math.imul(x * 73856093 ^ y * 19349663, 2654435761) >>> 24) & 63;
      px[i] = (x * 255) / w;
      px[i + 1] = (y * 255) / h;
      px[i + 2] = 128 + n;
    }
  }
  return sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

async function open(input: () => Promise<Buffer>): Promise<void> {
  engine = await Engine.create({ poolSize: 2, verifyModels: false });
  server = await startServer({ engine, server: { port: 0, rateLimit: false } });
  body = await input();
}

async function close(): Promise<void> {
  await server?.close();
  await engine?.dispose();
  server = undefined;
  engine = undefined;
}

async function burst(api: string, contentType: string): Promise<void> {
  const calls = Array.from({ length: CONCURRENCY }, async () => {
    const res = await fetch(`${server!.url}/v1/${api}`, { method: 'POST', body, headers: { 'content-type': contentType } });
    if (res.status !== 200) throw new Error(`${api}: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  });
  await Promise.all(calls);
}

export const benchmarks: BenchDef[] = [
  {
    name: 'server.getImageInfo.jpeg640.c8',
    group: 'server',
    gate: true,
    setup: () => open(renderedJpeg),
    fn: () => burst('getImageInfo', 'image/jpeg'),
    teardown: close,
    itemsPerIteration: CONCURRENCY,
  },
  ...(existsSync(QR)
    ? [
        {
          name: 'server.scanCode.qr.c8',
          group: 'server',
          setup: () => open(async () => readFileSync(QR)),
          fn: () => burst('scanCode', 'image/png'),
          teardown: close,
          itemsPerIteration: CONCURRENCY,
        } satisfies BenchDef,
      ]
    : []),
];
