/**
 * The fastify app serving hmp's JSAPIs to the mini-program runtime.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Engine } from '../engine/engine.js';
import { VERSION } from '../version.js';

/** Options of {@link buildApp}. */
export interface AppOptions {
  /** The engine that computes every API. The app does not dispose it. */
  engine: Engine;
  /** Pino logger options or `false`. Default: false. */
  logger?: boolean | object;
}

/** Builds the fastify app (not listening). */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false });
  const engine = opts.engine;
  app.get('/healthz', async () => {
    const s = engine.stats();
    return {
      status: 'ok',
      versions: { hmp: VERSION, node: process.versions.node },
      workers: { poolSize: s.poolSize, ready: s.readyWorkers },
      models: engine.models.map((m) => m.name),
    };
  });
  return app;
}
