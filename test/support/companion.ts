// A companion server on embedded Postgres (its log kept for scans) and the family's devices
// against it: each device main's real services with its own data dir and keychain service, its
// events recorded, reopened on the same data as after a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { osKeychain } from '../../src-main/custody/secret-store';
import { startMainServices, type MainServices } from '../../src-main/services';
import type { IpcEvents, IpcChannel, IpcRequest, IpcResponse } from '../../src-shared/ipc';
import { loadConfig } from '../../server/config';
import { startServer, type RunningServer } from '../../server/start';
import { freePort } from '../../server/db/embedded-postgres';
import { PersonDialogs } from './person-dialogs';

export interface Device {
  main: MainServices;
  readonly dir: string;
  readonly service: string;
  readonly person: PersonDialogs;
  readonly log: string[];
  readonly events: { event: keyof IpcEvents; payload: unknown }[];
  ask<C extends IpcChannel>(channel: C, request: IpcRequest<C>): Promise<IpcResponse<C>>;
  reopen(): Promise<void>;
}

export interface Companion {
  readonly server: RunningServer;
  readonly serverLog: string[];
  readonly devices: Device[];
  device(name: string, options?: { relays?: readonly string[] }): Promise<Device>;
}

/** Starts the server; everything it and its devices made goes when the test file ends. */
export async function startCompanion(): Promise<Companion> {
  const port = await freePort();
  const serverDir = mkdtempSync(join(tmpdir(), 'pubky-companion-'));
  const serverLog: string[] = [];
  const server = await startServer(
    {
      ...loadConfig({ PUBLIC_ORIGIN: `http://127.0.0.1:${port}` }),
      port,
      feedPort: 0,
      dataDir: serverDir,
      databaseUrl: undefined,
      logLevel: 'info',
    },
    { logStream: { write: (line: string) => void serverLog.push(line) } },
  );
  const { devices, device } = companionDevices(() => server.url);
  afterAll(async () => {
    await Promise.all(devices.splice(0).map((d) => closeDevice(d, server.url)));
    await server.close();
    rmSync(serverDir, { recursive: true, force: true });
    // Devices, then embedded Postgres, stopping on a busy machine (the whole suite in parallel).
  }, 120_000);
  return { server, serverLog, devices, device };
}

/** Forgets a device: its keys, its session, its data. */
async function closeDevice(d: Device, serverUrl: string): Promise<void> {
  for (const key of d.main.vault.list()) d.main.vault.delete(key, key);
  osKeychain(d.service).delete(`session:${new URL(serverUrl).origin}`);
  await d.main.close();
  rmSync(d.dir, { recursive: true, force: true });
}

/** Devices against a server the caller runs (in this process or its own); gone after the file. */
export function companionDevices(serverUrl: () => string): {
  devices: Device[];
  device(name: string, options?: { relays?: readonly string[] }): Promise<Device>;
} {
  const devices: Device[] = [];
  afterAll(async () => {
    await Promise.all(devices.splice(0).map((d) => closeDevice(d, serverUrl())));
  }, 120_000);
  async function device(name: string, options: { relays?: readonly string[] } = {}) {
    const dir = mkdtempSync(join(tmpdir(), `pubky-device-${name}-`));
    const service = `pubky-domains-devices-${process.pid}-${name}-${devices.length}`;
    const person = new PersonDialogs();
    const log: string[] = [];
    const events: Device['events'] = [];
    const start = () =>
      startMainServices({
        dataDir: dir,
        version: 'test',
        serverUrl,
        relays: options.relays ?? [],
        dhtBootstrap: null,
        keychainService: service,
        outboxIntervalMs: 100,
        migrationPollMs: 100,
        dialogs: person,
        log: (line) => log.push(line),
      });
    const self: Device = {
      main: await start(),
      dir,
      service,
      person,
      log,
      events,
      async ask(channel, request) {
        const handler = self.main.handlers[channel] as (r: unknown) => Promise<unknown>;
        return (await handler(request)) as IpcResponse<typeof channel>;
      },
      async reopen() {
        self.main = await start();
        self.main.events.subscribe((event, payload) => events.push({ event, payload }));
      },
    };
    self.main.events.subscribe((event, payload) => events.push({ event, payload }));
    devices.push(self);
    return self;
  }
  return { devices, device };
}
