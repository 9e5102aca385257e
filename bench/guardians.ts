// `npm run bench -- guardians`: issue 22's two figures, on loopback with the companion server
// (in this process, embedded Postgres) and real OS keychains:
//  - a backup: split a domain key 3 of 5, seal each share to its guardian, commit, sign, and
//    store it on the server;
//  - a whole recovery, the waiting period excluded: a fresh machine asks, three guardians seal
//    their shares again to its one-time key and send them, the machine fetches them, checks each
//    against its commitment, combines, verifies the key and keeps it (target: well under 1 s).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyVault } from '../src-main/custody/key-vault';
import { osKeychain } from '../src-main/custody/secret-store';
import { LocalStore } from '../src-main/store/local-store';
import type { PacketSigner } from '../src-shared/pkarr';
import { loadConfig } from '../server/config';
import { startServer } from '../server/start';
import { freePort } from '../server/db/embedded-postgres';
import {
  call,
  createFamily,
  join as joinFamily,
  signIn,
  type ApiUser,
} from '../test/support/api-client';
import { domainProofMessage } from '../src-shared/pubky/server-auth';

const ROUNDS = 20;

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0) * 10) / 10
  );
};

/** A device: a local store and a vault on its own keychain service. */
async function deviceVault(name: string) {
  const dir = await mkdtemp(join(tmpdir(), `pubky-bench-guardian-${name}-`));
  const store = new LocalStore(join(dir, 'app.sqlite'));
  const vault = new KeyVault(osKeychain(`pubky-domains-bench-${process.pid}-${name}`), store);
  return {
    vault,
    close: async () => {
      for (const key of store.listKeys()) vault.delete(key, key);
      store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const signerOf = (vault: KeyVault, key: string): PacketSigner => vault.signer(key);

export async function benchGuardians(): Promise<Record<string, unknown>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pubky-bench-guardians-'));
  const port = await freePort();
  const server = await startServer({
    ...loadConfig({
      PUBLIC_ORIGIN: `http://127.0.0.1:${port}`,
      SIGN_IN_PER_MINUTE: '100000',
      WRITES_PER_MINUTE: '100000',
    }),
    port,
    feedPort: 0,
    dataDir,
    databaseUrl: undefined,
    logLevel: 'warn',
  });
  const base = server.url;
  const devices: Awaited<ReturnType<typeof deviceVault>>[] = [];
  try {
    const family = await deviceVault('family');
    devices.push(family);
    const ownerKey = family.vault.create('owner').publicKey;
    const owner = await signIn(base, signerOf(family.vault, ownerKey));
    const familyId = await createFamily(base, owner, 'Bench');
    await call(base, 'PUT', `/families/${familyId}/recovery-wait`, {
      token: owner.accessToken,
      body: { recoveryWaitSeconds: 0 },
    });
    const guardians: { user: ApiUser; vault: KeyVault; key: string; guardianId: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const device = await deviceVault(`guardian-${i}`);
      devices.push(device);
      const key = device.vault.create(`guardian ${i}`).publicKey;
      const user = await signIn(base, signerOf(device.vault, key));
      const { guardianId } = await joinFamily(base, owner, familyId, user, 'guardian');
      guardians.push({ user, vault: device.vault, key, guardianId: guardianId! });
    }

    const backupTimes: number[] = [];
    const recoveryTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // A fresh domain key, registered with its proof.
      const domain = family.vault.create(`domain ${round}`).publicKey;
      const challenge = (
        await call(base, 'POST', '/auth/challenge', { body: { publicKey: domain } })
      ).body as { nonce: string };
      const proof = family.vault.sign(
        domain,
        domainProofMessage(base, familyId, challenge.nonce, domain),
      );
      await call(base, 'POST', `/families/${familyId}/domains`, {
        token: owner.accessToken,
        body: {
          publicKey: domain,
          proof: { nonce: challenge.nonce, signature: Buffer.from(proof).toString('base64') },
        },
      });

      let started = performance.now();
      const made = await family.vault.backupForGuardians(
        domain,
        guardians.map((g) => ({ guardianId: g.guardianId, publicKey: g.key })),
        3,
      );
      const stored = await call(base, 'POST', `/families/${familyId}/backups`, {
        token: owner.accessToken,
        body: {
          publicKey: domain,
          threshold: 3,
          shares: made.shares.map((s) => ({
            guardianId: s.guardianId,
            encryptedShare: Buffer.from(s.sealed).toString('base64'),
            commitment: Buffer.from(s.commitment).toString('base64'),
          })),
          commitmentSignature: Buffer.from(made.signature).toString('base64'),
        },
      });
      if (stored.status !== 201) throw new Error(`backup refused: ${stored.text}`);
      backupTimes.push(performance.now() - started);

      // The fresh machine, signed in with its one-time key.
      const machine = await deviceVault(`machine-${round}`);
      devices.push(machine);
      const oneTime = machine.vault.create('one-time').publicKey;
      const asker = await signIn(base, signerOf(machine.vault, oneTime));
      started = performance.now();
      const { recoveryId } = (
        await call(base, 'POST', '/recoveries', {
          token: asker.accessToken,
          body: { publicKey: domain },
        })
      ).body as { recoveryId: string };
      await Promise.all(
        guardians.slice(0, 3).map(async (g) => {
          const mine = (
            (await call(base, 'GET', '/guardian/shares', { token: g.user.accessToken })).body as {
              publicKey: string;
              encryptedShare: string;
            }[]
          ).find((s) => s.publicKey === domain)!;
          const sealed = g.vault.resealGuardianShare(
            g.key,
            domain,
            new Uint8Array(Buffer.from(mine.encryptedShare, 'base64')),
            oneTime,
          );
          await call(base, 'POST', `/guardian/recoveries/${recoveryId}/share`, {
            token: g.user.accessToken,
            body: { sealed: Buffer.from(sealed).toString('base64') },
          });
        }),
      );
      const released = (
        await call(base, 'GET', `/recoveries/${recoveryId}`, { token: asker.accessToken })
      ).body as {
        threshold: number;
        commitmentSignature: string;
        shares: { guardianKey: string; commitment: string; sealed?: string }[];
      };
      const recovered = await machine.vault.recoverFromShares({
        oneTimeKey: oneTime,
        domainKey: domain,
        threshold: released.threshold,
        signature: new Uint8Array(Buffer.from(released.commitmentSignature, 'base64')),
        shares: released.shares.map((s) => ({
          guardianKey: s.guardianKey,
          commitment: s.commitment,
          ...(s.sealed ? { sealed: new Uint8Array(Buffer.from(s.sealed, 'base64')) } : {}),
        })),
        label: '',
      });
      await call(base, 'POST', `/recoveries/${recoveryId}/complete`, { token: asker.accessToken });
      recoveryTimes.push(performance.now() - started);
      if (recovered.publicKey !== domain) throw new Error('recovered another key');
    }
    return {
      name: 'guardians',
      rounds: ROUNDS,
      backup3of5: { p50Ms: percentile(backupTimes, 0.5), p95Ms: percentile(backupTimes, 0.95) },
      recoveryExcludingWait: {
        p50Ms: percentile(recoveryTimes, 0.5),
        p95Ms: percentile(recoveryTimes, 0.95),
        targetMs: 1000,
        met: percentile(recoveryTimes, 0.95) < 1000,
      },
    };
  } finally {
    for (const device of devices) await device.close();
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
