import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLoopback, loadServerConfig, resolveServerOptions, SERVER_DEFAULTS } from '../../dist/src/server/options.js';

describe('server configuration: defaults < config file < environment < flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hmp-serve-'));
  const file = join(dir, 'hmp.config.json');
  writeFileSync(file, JSON.stringify({ host: '127.0.0.2', port: 9001, rateLimit: { max: 10, windowMs: 1000 }, tokens: { a: 'aaaaaaaaaaaaaaaaaaaa' }, engine: { poolSize: 3 }, logLevel: 'warn' }));

  it('reads the config file, then lets env and flags override', () => {
    const fromFile = loadServerConfig({ config: file }, {});
    expect(fromFile).toEqual({ server: { host: '127.0.0.2', port: 9001, rateLimit: { max: 10, windowMs: 1000 }, tokens: { a: 'aaaaaaaaaaaaaaaaaaaa' } }, engine: { poolSize: 3 }, logLevel: 'warn' });
    const env = { HMP_CONFIG: file, HMP_PORT: '9002', HMP_WORKERS: '2', HMP_TOKENS: 'b:bbbbbbbbbbbbbbbbbbbb', HMP_RATE_LIMIT: 'off' };
    const fromEnv = loadServerConfig({}, env);
    expect(fromEnv.server).toMatchObject({ host: '127.0.0.2', port: 9002, rateLimit: false, tokens: { a: 'aaaaaaaaaaaaaaaaaaaa', b: 'bbbbbbbbbbbbbbbbbbbb' } });
    expect(fromEnv.engine.poolSize).toBe(2);
    const fromFlags = loadServerConfig({ port: '9003', 'rate-limit': '5/100', token: ['c:cccccccccccccccccccc'], 'log-level': 'debug', cors: ['https://a.example'] }, env);
    expect(fromFlags.server).toMatchObject({ port: 9003, rateLimit: { max: 5, windowMs: 100 }, corsOrigins: ['https://a.example'] });
    expect(fromFlags.server.tokens).toHaveProperty('c');
    expect(fromFlags.logLevel).toBe('debug');
  });

  it('bad values fail with HMP_ERR_CONFIG_INVALID naming the source', () => {
    expect(() => loadServerConfig({}, { HMP_PORT: 'eighty' })).toThrow(expect.objectContaining({ code: 'HMP_ERR_CONFIG_INVALID', message: expect.stringContaining('HMP_PORT') }));
    expect(() => loadServerConfig({ 'rate-limit': 'lots' }, {})).toThrow(expect.objectContaining({ code: 'HMP_ERR_CONFIG_INVALID', message: expect.stringContaining('--rate-limit') }));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"port": ');
    expect(() => loadServerConfig({ config: bad }, {})).toThrow(expect.objectContaining({ code: 'HMP_ERR_CONFIG_INVALID', message: expect.stringContaining('bad.json') }));
    expect(() => loadServerConfig({ token: ['no-colon'] }, {})).toThrow(expect.objectContaining({ code: 'HMP_ERR_CONFIG_INVALID', message: expect.stringContaining('--token') }));
  });

  it('validates options with coded errors naming the option', () => {
    expect(resolveServerOptions({})).toMatchObject({ host: '127.0.0.1', port: 8790, rateLimit: SERVER_DEFAULTS.rateLimit, corsOrigins: [], docs: true });
    expect(() => resolveServerOptions({ colour: 1 } as never)).toThrow(expect.objectContaining({ code: 'HMP_ERR_OPTION_UNKNOWN', message: expect.stringContaining('options.colour') }));
    expect(() => resolveServerOptions({ port: 70000 })).toThrow(expect.objectContaining({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('options.port') }));
    expect(() => resolveServerOptions({ rateLimit: { max: 0, windowMs: 1 } })).toThrow(expect.objectContaining({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('options.rateLimit.max') }));
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com']) expect(isLoopback(h), h).toBe(false);
  });
});
