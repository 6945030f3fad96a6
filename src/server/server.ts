/**
 * Starting and stopping the JSAPI server: the bind check, listening, and graceful shutdown.
 */
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../engine/engine.js';
import { buildApp, setDraining, type AppOptions } from './app.js';
import { assertSecureBind, resolveServerOptions } from './options.js';

/** A listening server. */
export interface RunningServer {
  app: FastifyInstance;
  /** Base URL, e.g. `http://127.0.0.1:8790`. */
  url: string;
  port: number;
  /**
   * Graceful shutdown: readiness fails and new `/v1/*` requests are refused, the listener stops,
   * in-flight requests drain (up to `drainTimeoutMs`, then connections are cut), streams close
   * with 1001. Does not dispose the engine. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Builds the app and listens, refusing a non-loopback address without device tokens.
 * @throws HMP_ERR_SERVER_INSECURE_BIND, and {@link buildApp}'s option errors
 * @example
 * const engine = await Engine.create();
 * const server = await startServer({ engine, server: { port: 0 } });
 * // server.url === 'http://127.0.0.1:40123'
 * await server.close(); await engine.dispose();
 */
export async function startServer(opts: AppOptions): Promise<RunningServer> {
  const so = resolveServerOptions(opts.server ?? {});
  assertSecureBind(so);
  const app = await buildApp(opts);
  await app.listen({ host: so.host, port: so.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : so.port;
  const host = so.host.includes(':') ? `[${so.host}]` : so.host;
  let closing: Promise<void> | undefined;
  return {
    app,
    url: `http://${host}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        setDraining(app);
        let timer: NodeJS.Timeout | undefined;
        const cut = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            app.log.warn({ drainTimeoutMs: so.drainTimeoutMs }, 'drain timeout: closing remaining connections');
            app.server.closeAllConnections();
            resolve();
          }, so.drainTimeoutMs);
          timer.unref();
        });
        await Promise.race([app.close(), cut]);
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
