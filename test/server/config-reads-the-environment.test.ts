// The server's configuration: defaults, and a clear ConfigError for each value it cannot use.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config';
import { MAINLINE_BOOTSTRAP } from '../../src-shared/publish/dht-client';

describe('server configuration', () => {
  it('defaults: no upstream relays, no DHT bridge', () => {
    const config = loadConfig({});
    expect(config.upstreamRelays).toEqual([]);
    expect(config.dhtBootstrap).toBeUndefined();
    expect(config.port).toBe(3001);
    expect(config.feedPort).toBe(3002);
    // One signature thread per core beyond the event loop's, at most two.
    expect(config.verifyThreads).toBe(availableParallelism() > 1 ? 2 : 0);
    expect(loadConfig({ VERIFY_THREADS: '0' }).verifyThreads).toBe(0);
    expect(loadConfig({ VERIFY_THREADS: '3' }).verifyThreads).toBe(3);
  });

  it('reads upstream relays and the DHT bootstrap list', () => {
    const config = loadConfig({
      UPSTREAM_RELAYS: 'https://relay.pkarr.org/, http://127.0.0.1:15411',
      DHT_BOOTSTRAP: '127.0.0.1:6881,node.example:25401',
      DHT_PORT: '6882',
    });
    expect(config.upstreamRelays).toEqual(['https://relay.pkarr.org', 'http://127.0.0.1:15411']);
    expect(config.dhtBootstrap).toEqual(['127.0.0.1:6881', 'node.example:25401']);
    expect(config.dhtPort).toBe(6882);
    expect(loadConfig({ DHT_BOOTSTRAP: 'mainline' }).dhtBootstrap).toEqual(MAINLINE_BOOTSTRAP);
  });

  it.each([
    [{ UPSTREAM_RELAYS: 'not a url' }, /UPSTREAM_RELAYS: "not a url" is not a URL/],
    [{ UPSTREAM_RELAYS: 'ftp://relay.example' }, /must be an http\(s\) URL/],
    [{ DHT_BOOTSTRAP: 'nohostport' }, /DHT_BOOTSTRAP: "nohostport" is not host:port/],
    [{ PORT: '70000' }, /PORT must be a whole number from 0 to 65535/],
    [{ RELAY_PUTS_PER_MINUTE: '-1' }, /RELAY_PUTS_PER_MINUTE must be a whole number/],
    [{ VERIFY_THREADS: 'two' }, /VERIFY_THREADS must be a whole number from 0 to 64/],
  ])('refuses %o with a ConfigError', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
