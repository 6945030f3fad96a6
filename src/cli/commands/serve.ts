/**
 * `hmp serve` (also `npm start`): starts the engine and the JSAPI server; SIGTERM/SIGINT drain it.
 * @internal
 */
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { Engine } from '../../engine/engine.js';
import { loadServerConfig, resolveServerOptions, assertSecureBind } from '../../server/options.js';
import { startServer } from '../../server/server.js';
import { recommenderFromEnv } from '../../recommend/env.js';
import { recommendationApis } from '../../server/apis/recommendation.js';

export const serve: Command = {
  name: ['serve'],
  summary: 'Start the JSAPI server (default 127.0.0.1:8790)',
  help: `Usage: hmp serve [options]

Starts the engine's worker pool and serves the JSAPIs over HTTP and WebSocket.
Docs at http://HOST:PORT/docs, OpenAPI at /openapi.json, metrics at /metrics.
Settings merge: defaults < config file < environment < flags.

Options:
  --config FILE        JSON config: server options, "engine": {...}, "logLevel" (env HMP_CONFIG)
  --host ADDR          address to bind (env HMP_HOST; default 127.0.0.1); a non-loopback
                       address needs device tokens
  --port N             port (env HMP_PORT; default 8790; 0 = any free port)
  --workers N          worker threads (env HMP_WORKERS; default: core count)
  --max-queue N        engine queue beyond running tasks; more fail fast with 503
                       (env HMP_MAX_QUEUE; default 16 x workers)
  --timeout-ms N       default task deadline (env HMP_TIMEOUT_MS; default 10000)
  --token DEV:TOKEN    device token, repeatable (env HMP_TOKENS=dev1:tok1,dev2:tok2);
                       tokens need at least 16 characters
  --rate-limit MAX/MS  per-device rate limit on /v1/*, e.g. 300/1000, or off
                       (env HMP_RATE_LIMIT; default 300/1000)
  --body-limit BYTES   largest image body (env HMP_BODY_LIMIT; default 16777216)
  --cors ORIGIN        allow a CORS origin, repeatable (env HMP_CORS_ORIGINS; default: CORS off)
  --log-level LEVEL    pino level: fatal, error, warn, info, debug (env HMP_LOG_LEVEL; default info)
  --recommend-store S  recommendation/member storage: sqlite:<dir>, a postgres:// URL, or off
                       (env HMP_RECOMMEND_STORE; default sqlite:.hmp-data). Members also need
                       HMP_MEMBER_KEY (32 bytes, hex or base64) for encryption at rest.
  -h, --help           show this help`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        workers: { type: 'string' },
        'max-queue': { type: 'string' },
        'timeout-ms': { type: 'string' },
        token: { type: 'string', multiple: true },
        'rate-limit': { type: 'string' },
        'body-limit': { type: 'string' },
        cors: { type: 'string', multiple: true },
        'log-level': { type: 'string' },
        'recommend-store': { type: 'string' },
      },
      strict: true,
    });
    const cfg = loadServerConfig(values);
    // Refuse an insecure bind before spending seconds starting workers.
    assertSecureBind(resolveServerOptions(cfg.server));
    const storeSpec = values['recommend-store'] ?? process.env.HMP_RECOMMEND_STORE ?? 'sqlite:.hmp-data';
    const recommend = storeSpec === 'off' ? undefined : await recommenderFromEnv({ ...process.env, HMP_RECOMMEND_STORE: storeSpec });
    const closeRecommend = async () => {
      recommend?.rec.close();
      await recommend?.store.close();
    };
    let engine;
    try {
      // A server should answer its first scan as fast as its hundredth.
      engine = await Engine.create({ warmup: true, ...cfg.engine });
    } catch (err) {
      await closeRecommend();
      throw err;
    }
    let server;
    try {
      server = await startServer({ engine, server: cfg.server, logger: { level: cfg.logLevel }, apis: recommend ? recommendationApis(recommend.rec) : [] });
    } catch (err) {
      await engine.dispose();
      await closeRecommend();
      throw err;
    }
    server.app.log.info({ url: server.url, workers: engine.stats().poolSize, auth: Object.keys(cfg.server.tokens ?? {}).length > 0 }, `hmp ${server.url} (docs: ${server.url}/docs)`);
    await new Promise<void>((resolve) => {
      const stop = async (signal: string) => {
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        server.app.log.info({ signal }, 'shutting down: draining requests');
        await server.close();
        await engine.dispose();
        await closeRecommend();
        server.app.log.info('stopped');
        resolve();
      };
      const onTerm = () => void stop('SIGTERM');
      const onInt = () => void stop('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
    });
    return 0;
  },
};
