/**
 * `hmp serve` (also `npm start`): starts the engine and the JSAPI server.
 * @internal
 */
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';

export const serve: Command = {
  name: ['serve'],
  summary: 'Start the JSAPI server (default 127.0.0.1:8790)',
  help: `Usage: hmp serve [--host 127.0.0.1] [--port 8790] [--workers N]

Starts the engine's worker pool and serves the JSAPIs over HTTP and WebSocket.

Options:
  --host ADDR    address to bind (env HMP_HOST; default 127.0.0.1)
  --port N       port (env HMP_PORT; default 8790)
  --workers N    worker threads (env HMP_WORKERS; default: core count)
  -h, --help     show this help`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { host: { type: 'string' }, port: { type: 'string' }, workers: { type: 'string' } },
      strict: true,
    });
    const host = values.host ?? process.env.HMP_HOST ?? '127.0.0.1';
    const port = Number(values.port ?? process.env.HMP_PORT ?? 8790);
    const workers = values.workers ?? process.env.HMP_WORKERS;
    // Imported here so `hmp --help` and other commands don't load the server stack.
    const { Engine } = await import('../../engine/engine.js');
    const { buildApp } = await import('../../server/app.js');
    const engine = await Engine.create(workers ? { poolSize: Number(workers) } : {});
    const app = await buildApp({ engine, logger: { level: process.env.HMP_LOG_LEVEL ?? 'info' } });
    await app.listen({ host, port });
    await new Promise<void>((resolve) => {
      const stop = async () => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        await app.close();
        await engine.dispose();
        resolve();
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    return 0;
  },
};
