// The main process's IPC handlers as a plain module: no Electron import, so tests and the
// Chromium bridge run exactly this code.
import { APP_NAME } from '../src-shared/app-info';
import type { DomainRecords, KeySummary } from '../src-shared/ipc';
import { randomInt } from 'node:crypto';
import {
  decodeRelayPayload,
  measureRecords,
  parsePublicKey,
  validateRecord,
  z32Encode,
} from '../src-shared/pkarr';
import { writeFile } from 'node:fs/promises';
import type { KeyVault } from './custody/key-vault';
import type { Dialogs } from './dialogs';
import { nativeVerifier } from '../src-node/native-ed25519';
import { AppError } from './errors';
import type { IpcHandlers } from './ipc/dispatch';
import type { Publisher } from './publish/publisher';
import { checkServer } from './server-status';
import type { LocalStore } from './store/local-store';
import { storedPacket } from './store/stored-packet';
import { phraseWords, PHRASE_WORDS } from './custody/recovery-phrase';
import { ratePassphrase } from './custody/passphrase-rating';
import { summariseDomain } from './domain-summary';
import type { MainEvents } from './events';
import { DEFAULT_REPUBLISH_INTERVAL_MS } from './publish/republisher';
import { DiagnosticsLog, diagnosticsReport } from './diagnostics';
import { Settings } from './settings';
import type { ServerSession } from './server-session';
import type { FamilyClient } from './family-client';
import type { LiveFeed } from './live-feed';
import type { FamilySync } from './family-sync';
import type { MigrationRunner } from './migrate/migration-runner';
import { migrationView } from './migrate/migration-view';
import { lookUpZone } from './migrate/live-import';
import { planMigration, type MigrationPlan } from '../src-shared/zone/migration-plan';
import { parseZoneBytes, parseZoneFile, ZoneFileError } from '../src-shared/zone/zone-file';
import { parsePkdnsZone, toBindZone, toPkdnsZone } from '../src-shared/zone/zone-export';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { newestAnswer, publicView, type NetworkResolver } from './network-resolver';
import { COMPANION_TARGET } from '../src-shared/publish/targets';

/** How long a publish waits for the network's answer before publishing anyway (offline). */
const PRE_PUBLISH_TIMEOUT_MS = 3000;

export interface MainContext {
  readonly version: string;
  readonly serverUrl: () => string;
  readonly store: LocalStore;
  readonly vault: KeyVault;
  readonly publisher: Publisher;
  readonly dialogs: Dialogs;
  readonly events: MainEvents;
  /** The person's settings (relays, DHT, republish interval); defaults when not given. */
  readonly settings?: Settings;
  readonly diagnostics?: DiagnosticsLog;
  readonly dhtAvailable?: boolean;
  /** The companion server session (sign-in by key); absent in tests of other flows. */
  readonly session?: ServerSession;
  readonly families?: FamilyClient;
  /** Re-subscribed when the person joins or creates a family. */
  readonly liveFeed?: LiveFeed;
  /** Packets in step with the family's other devices, and the family's activity. */
  readonly familySync?: FamilySync;
  /** Moving domains between traditional DNS and Pubky. */
  readonly migrations?: MigrationRunner;
  /** Reads what relays and the DHT serve now (Network view, Explore). */
  readonly resolver?: NetworkResolver;
  readonly now?: () => number;
}

/** Three distinct positions of a 12-word phrase, in order, for the person to type back. */
function checkPositions(): number[] {
  const positions = new Set<number>();
  while (positions.size < 3) positions.add(randomInt(1, PHRASE_WORDS + 1));
  return [...positions].sort((a, b) => a - b);
}

export function createHandlers(context: MainContext): IpcHandlers {
  const { store, vault, publisher, events } = context;
  const now = context.now ?? Date.now;
  const settings =
    context.settings ??
    new Settings(store, {
      relays: [],
      dhtEnabled: true,
      republishIntervalMinutes: DEFAULT_REPUBLISH_INTERVAL_MS / 60_000,
    });
  const diagnostics = context.diagnostics ?? new DiagnosticsLog();
  const serverUrl = () => settings.get().serverUrl ?? context.serverUrl();
  const session = () => {
    if (!context.session) throw new AppError('NOT_SIGNED_IN', 'This app has no companion server.');
    return context.session;
  };
  const families = () => {
    if (!context.families) throw new AppError('NOT_SIGNED_IN', 'This app has no companion server.');
    return context.families;
  };
  const settingsView = () => ({
    settings: settings.get(),
    defaults: { ...settings.defaults, serverUrl: context.serverUrl() },
    dhtAvailable: context.dhtAvailable ?? false,
  });
  /**
   * New keys' phrases, in memory only, until the person checks three words back (or the app
   * quits): the keychain keeps the secret, never the phrase.
   */
  const pendingPhrases = new Map<string, { phrase: string; check: number[] }>();

  const keySummary = (publicKey: string): KeySummary => ({
    publicKey,
    label: store.keyLabel(publicKey) ?? '',
    backup: store.backupOf(publicKey),
    phraseAvailable: pendingPhrases.has(publicKey),
  });
  const keysChanged = (publicKey: string) => events.emit('keys:changed', { publicKey });
  /**
   * An imported key's domain may already be published: its records are read from the network
   * in the background (the import does not wait on relays) and become the drafts.
   */
  const fetchPublished = (domain: string) => {
    if (!context.resolver || store.getPacket(domain)) return;
    void context.resolver
      .resolve(domain, settings.get())
      .then((view) => {
        const newest = newestAnswer(view.answers);
        if (newest?.state === 'found' && newest.packet && publisher.adopt(newest.packet))
          domainsChanged(domain);
      })
      .catch((error: unknown) =>
        diagnostics.add(`reading ${domain} from the network failed: ${String(error)}`),
      );
  };
  /**
   * The server cannot see a recovery file saved, and the score counts it: told to the family
   * domains this key is (in the background; offline, registering the domain tells it later).
   */
  const reportRecoveryFile = (account: string) => {
    if (!context.families || context.session?.view().state !== 'signed-in') return;
    const client = context.families;
    void (async () => {
      for (const family of await client.families()) {
        if (family.role === 'guardian') continue;
        const domain = (await client.domains(family.id)).find((d) => d.publicKey === account);
        if (domain) await client.reportFacts(domain.id, { recoveryExported: true });
      }
    })().catch((error: unknown) =>
      diagnostics.add(`telling the server of ${account}'s recovery file failed: ${String(error)}`),
    );
  };
  /** What is wrong with a share this guardian holds, checked in the vault (undefined: sound). */
  const checkShare = (
    me: string,
    share: {
      publicKey: string;
      threshold: number;
      encryptedShare: string;
      commitmentSignature: string | null;
      commitments: { guardianKey: string; commitment: string | null }[];
    },
  ) =>
    vault.checkGuardianShare(me, {
      publicKey: share.publicKey,
      threshold: share.threshold,
      sealed: new Uint8Array(Buffer.from(share.encryptedShare, 'base64')),
      commitmentSignature: share.commitmentSignature
        ? new Uint8Array(Buffer.from(share.commitmentSignature, 'base64'))
        : null,
      commitments: share.commitments,
    });
  /** Plans made for the person, by id, until started (the newest few). */
  const plans = new Map<string, MigrationPlan & { planId: string; domain: string }>();
  const migrations = () => {
    if (!context.migrations) throw new AppError('NOT_FOUND', 'Migrations are not available here.');
    return context.migrations;
  };
  /** A zone file's error as the person reads it: the line, and nothing published. */
  const zoneError = (error: unknown): never => {
    if (error instanceof ZoneFileError)
      throw new AppError('INVALID_ZONE_FILE', `${error.message}. Nothing was published.`);
    throw error;
  };
  const domainsChanged = (domain: string) => events.emit('domains:changed', { domains: [domain] });

  const domainOf = (input: string): string => z32Encode(parsePublicKey(input));
  /** How dialogs name a key: its label, and a short form of the key itself. */
  const nameOf = (account: string): string => {
    const short = `${account.slice(0, 4)}…${account.slice(-4)}`;
    const label = store.keyLabel(account);
    return label ? `${label} (${short})` : short;
  };

  const recordsOf = (domain: string): DomainRecords => {
    const key = parsePublicKey(domain);
    const drafts = store.getDrafts(domain);
    const published = storedPacket(store, domain) ?? null;
    const conflict = store.getConflict(domain);
    const theirs = conflict
      ? decodeRelayPayload(nativeVerifier, key, conflict.payload, {
          maxFutureMicros: Number.MAX_SAFE_INTEGER,
        })
      : null;
    return {
      domain,
      drafts,
      published: published && { timestamp: published.timestamp, records: published.records },
      size: measureRecords(drafts, key),
      conflict:
        conflict && theirs
          ? {
              timestamp: theirs.timestamp,
              records: theirs.records,
              foundAt: conflict.foundAt,
              source: conflict.source,
            }
          : null,
    };
  };

  return {
    'app:info': async () => ({ name: APP_NAME, version: context.version }),
    'server:status': async () => checkServer(serverUrl()),

    'keys:list': async () => vault.list().map(keySummary),
    'domains:list': async () => {
      const at = now();
      const interval = settings.get().republishIntervalMinutes * 60_000;
      return store.domainRows().map((row) => summariseDomain(row, at, interval));
    },
    'keys:create': async ({ label }) => {
      const { publicKey, phrase } = vault.create(label);
      store.addDomain(publicKey, label);
      pendingPhrases.set(publicKey, { phrase, check: checkPositions() });
      keysChanged(publicKey);
      return keySummary(publicKey);
    },
    'keys:reveal-phrase': async ({ publicKey }) => {
      const pending = pendingPhrases.get(domainOf(publicKey));
      if (!pending) {
        throw new AppError(
          'PHRASE_UNAVAILABLE',
          'The recovery phrase is shown only in the session that made the key. Back this key up with a recovery file instead.',
        );
      }
      return { words: phraseWords(pending.phrase), check: pending.check };
    },
    'keys:confirm-phrase': async ({ publicKey, answers }) => {
      const account = domainOf(publicKey);
      const pending = pendingPhrases.get(account);
      if (!pending) {
        throw new AppError(
          'PHRASE_UNAVAILABLE',
          'The recovery phrase is shown only in the session that made the key. Back this key up with a recovery file instead.',
        );
      }
      const words = phraseWords(pending.phrase);
      const asked = new Set(pending.check);
      for (const answer of answers) {
        if (!asked.has(answer.position)) {
          throw new AppError('PHRASE_MISMATCH', `Word ${answer.position} was not asked for.`);
        }
        if (phraseWords(answer.word)[0] !== words[answer.position - 1]) {
          throw new AppError(
            'PHRASE_MISMATCH',
            `Word ${answer.position} does not match the phrase. Look at what you wrote down and try again.`,
          );
        }
      }
      if (new Set(answers.map((a) => a.position)).size !== asked.size) {
        throw new AppError('PHRASE_MISMATCH', 'Type each of the three words asked for.');
      }
      pendingPhrases.delete(account);
      store.markBackedUp(account, 'phrase', now());
      keysChanged(account);
      return keySummary(account);
    },
    'keys:import-phrase': async ({ phrase, label }) => {
      const publicKey = vault.importPhrase(phrase, label);
      store.addDomain(publicKey, label);
      store.markBackedUp(publicKey, 'imported', now());
      keysChanged(publicKey);
      fetchPublished(publicKey);
      return keySummary(publicKey);
    },
    'passphrase:rate': async ({ passphrase }) => ratePassphrase(passphrase),
    'keys:delete': async ({ publicKey }) => {
      const account = domainOf(publicKey);
      if (!vault.list().includes(account))
        throw new AppError('KEY_NOT_FOUND', `No key ${account} in the keychain.`);
      const confirmed = await context.dialogs.confirm({
        title: 'Delete key',
        message: `Delete the key for ${nameOf(account)}?`,
        detail:
          'The key is removed from this computer’s keychain. Without a backup (recovery phrase, recovery file or guardians) this domain can never be changed again. This cannot be undone.',
        confirmLabel: 'Delete key',
      });
      if (!confirmed) return { deleted: false };
      // A key with no backup is the domain's only way to change: ask a second time, in main.
      if (!store.backupOf(account)) {
        const sure = await context.dialogs.confirm({
          title: 'This key is not backed up',
          message: `${nameOf(account)} has no recovery phrase, recovery file or guardians.`,
          detail:
            'Once deleted, no one can ever publish for this domain again, and nothing can bring the key back.',
          confirmLabel: 'Delete it for ever',
        });
        if (!sure) return { deleted: false };
      }
      vault.delete(account, account);
      pendingPhrases.delete(account);
      keysChanged(account);
      return { deleted: true };
    },
    'keys:export-recovery': async ({ publicKey, passphrase }) => {
      const account = domainOf(publicKey);
      const rating = ratePassphrase(passphrase);
      if (!rating.acceptable) {
        throw new AppError(
          'WEAK_PASSPHRASE',
          `This passphrase is too easy to guess${rating.warning ? ` (${rating.warning.replace(/\.$/, '')})` : ''}. Use a longer one, such as four or five unrelated words.`,
        );
      }
      const path = await context.dialogs.chooseSavePath({
        title: `Save the recovery file for ${nameOf(account)}`,
        defaultName: `${(store.keyLabel(account) || account.slice(0, 8)).replace(/[^\w.-]+/g, '-')}.pkarr`,
        filterName: 'Pubky recovery file',
        extensions: ['pkarr'],
      });
      if (!path) return { saved: false };
      const file = await vault.exportRecoveryFile(account, passphrase);
      await writeFile(path, file, { mode: 0o600 });
      store.markBackedUp(account, 'recovery-file', now());
      keysChanged(account);
      reportRecoveryFile(account);
      return { saved: true, path };
    },
    'keys:import-recovery': async ({ file, passphrase, label }) => {
      const publicKey = await vault.importRecoveryFile(file, passphrase, label);
      store.addDomain(publicKey, label);
      store.markBackedUp(publicKey, 'imported', now());
      keysChanged(publicKey);
      fetchPublished(publicKey);
      return keySummary(publicKey);
    },

    'records:get': async ({ domain }) => recordsOf(domainOf(domain)),
    'records:save': async ({ domain: input, records }) => {
      const domain = domainOf(input);
      const canonical = records.map((record) => validateRecord(record, domain));
      const size = measureRecords(canonical, parsePublicKey(domain));
      if (!size.fits) {
        throw new AppError(
          'PACKET_TOO_LARGE',
          `These records take ${size.bytes} bytes; a domain holds at most ${size.limit}.`,
        );
      }
      store.addDomain(domain);
      store.setDrafts(domain, canonical, now());
      domainsChanged(domain);
      return recordsOf(domain);
    },
    'records:publish': async ({ domain: input, onTop }) => {
      const domain = domainOf(input);
      const signer = vault.signer(domain);
      if (!onTop) {
        // Another device's newer packet already waits beside the drafts: the person settles it.
        if (store.getConflict(domain)) return { domain, outcome: 'conflict' as const };
        // Another device holding this key may have published since our draft's packet: find
        // out first (the network and the family's server), so nothing it published is
        // overwritten without the person seeing it.
        const [view, fromFamily] = await Promise.all([
          context.resolver?.resolve(domain, settings.get(), PRE_PUBLISH_TIMEOUT_MS),
          context.familySync?.newest(domain, PRE_PUBLISH_TIMEOUT_MS),
        ]);
        const newer = view && newestAnswer(view.answers);
        const stored = store.getPacket(domain);
        const candidates = [
          ...(newer?.state === 'found' && newer.packet
            ? [{ packet: newer.packet, source: newer.target }]
            : []),
          ...(fromFamily ? [{ packet: fromFamily, source: COMPANION_TARGET }] : []),
        ].filter((c) => c.packet.timestamp > (stored?.timestamp ?? 0));
        for (const candidate of candidates) {
          if (publisher.noteConflict(candidate.packet, candidate.source)) {
            domainsChanged(domain);
            return { domain, outcome: 'conflict' as const };
          }
        }
      }
      const packet = publisher.publish(signer, store.getDrafts(domain));
      domainsChanged(domain);
      void publisher.processOutbox();
      return { domain, outcome: 'queued' as const, timestamp: packet.timestamp };
    },
    'records:adopt': async ({ domain: input }) => {
      const domain = domainOf(input);
      if (!publisher.adoptConflict(domain)) {
        throw new AppError('NO_CONFLICT', 'There is no newer packet from another device to adopt.');
      }
      domainsChanged(domain);
      return recordsOf(domain);
    },
    'network:resolve': async ({ publicKey }) => {
      const key = domainOf(publicKey);
      if (!context.resolver) return { publicKey: key, answers: [], at: now() };
      const recent = [key, ...(store.getSetting<string[]>('recentLookups') ?? [])];
      store.setSetting('recentLookups', [...new Set(recent)].slice(0, 10));
      return publicView(await context.resolver.resolve(key, settings.get()));
    },
    'network:recent': async () => store.getSetting<string[]>('recentLookups') ?? [],
    'family:list': async () => families().families(),
    'family:create': async ({ name }) => {
      const created = await families().create(name);
      void context.liveFeed?.refresh();
      return created;
    },
    'family:get': async ({ familyId }) => families().family(familyId),
    'family:invite': async ({ familyId, publicKey, role, displayName }) => {
      await families().invite(familyId, domainOf(publicKey), role, displayName || undefined);
      return { invited: true };
    },
    'family:revoke-invitation': async ({ familyId, invitationId }) => {
      await families().revokeInvitation(familyId, invitationId);
      return { revoked: true };
    },
    'family:change-role': async ({ familyId, userId, role }) => {
      await families().changeRole(familyId, userId, role);
      return { changed: true };
    },
    'family:remove-member': async ({ familyId, userId }) => {
      await families().removeMember(familyId, userId);
      return { removed: true };
    },
    'family:register-domain': async ({ familyId, publicKey }) => {
      const account = domainOf(publicKey);
      if (!vault.list().includes(account))
        throw new AppError('KEY_NOT_FOUND', 'Only a key this computer holds can be registered.');
      await families().registerDomain(familyId, account, store.keyLabel(account) ?? '');
      // What this device already published reaches the family's other devices now.
      if (publisher.sendToCompanion(account)) void publisher.processOutbox();
      if (store.backupOf(account)?.method === 'recovery-file') reportRecoveryFile(account);
      return { registered: true };
    },
    'family:score': async ({ domainId }) => families().score(domainId),
    'family:share-key': async ({ familyId, domainId, userId }) => {
      const [domains, members] = await Promise.all([
        families().domains(familyId),
        families().members(familyId),
      ]);
      const domain = domains.find((d) => d.id === domainId);
      const key = domain?.publicKey ? domainOf(domain.publicKey) : undefined;
      if (!domain || !key || !vault.list().includes(key))
        throw new AppError('KEY_NOT_FOUND', 'Only a key this computer holds can be shared.');
      const member = members.find((m) => m.userId === userId);
      if (!member?.publicKey || member.role === 'guardian')
        throw new AppError(
          'SERVER_REFUSED',
          'A domain key goes only to an owner or member of the family.',
        );
      const recipient = domainOf(member.publicKey);
      // The recipient's key comes from the server: the person checks it before anything leaves.
      const confirmed = await context.dialogs.confirm({
        title: 'Share a domain key',
        message: `Let ${member.displayName ?? 'this member'} edit and publish ${domain.name}?`,
        detail:
          `Their devices get the key of ${nameOf(key)}, sealed so that only the key ${recipient} can open it. ` +
          'Check with them that this is their key. They can publish this domain until you move it to a new key.',
        confirmLabel: 'Share key',
      });
      if (!confirmed) return { shared: false };
      const sealed = vault.sealKeyTo(key, recipient, `domain-key:${key}`);
      await families().shareKey(domainId, userId, sealed);
      return { shared: true };
    },
    'family:activity': async ({ familyId }) => store.activity(familyId),
    'key-shares:list': async () =>
      (await families().keyShares()).map((share) => ({
        keyShareId: share.keyShareId,
        familyId: share.familyId,
        familyName: share.familyName,
        domainId: share.domainRecordId,
        domainName: share.domainName,
        publicKey: share.publicKey,
        senderName: share.senderName,
        senderPublicKey: share.senderPublicKey,
        createdAt: share.createdAt,
      })),
    'key-shares:accept': async ({ keyShareId }) => {
      const me = session().view();
      if (me.state !== 'signed-in') throw new AppError('NOT_SIGNED_IN', 'Sign in first.');
      const share = (await families().keyShares()).find((s) => s.keyShareId === keyShareId);
      if (!share) throw new AppError('SERVER_REFUSED', 'This shared key is no longer waiting.');
      const key = domainOf(share.publicKey);
      const label = share.domainName === key ? '' : share.domainName;
      vault.importSealedKey(
        me.publicKey,
        new Uint8Array(Buffer.from(share.sealed, 'base64')),
        `domain-key:${key}`,
        key,
        label,
      );
      store.addDomain(key, label);
      // Kept first, answered second: a lost answer leaves the blob to accept again, never a key lost.
      await families().answerKeyShare(keyShareId, true);
      keysChanged(key);
      domainsChanged(key);
      if (context.familySync) await context.familySync.pull(key);
      else fetchPublished(key);
      return keySummary(key);
    },
    'migrations:plan': async ({ domain: input, zone, source, defaultTtl }) => {
      const domain = domainOf(input);
      if (!vault.list().includes(domain))
        throw new AppError('KEY_NOT_FOUND', 'Only a key this computer holds can take a domain.');
      let parsed;
      try {
        switch (source.kind) {
          case 'zone-file': {
            const path = await context.dialogs.chooseOpenPath({
              title: `The zone file of ${zone}`,
              filterName: 'Zone files',
              extensions: ['zone', 'txt', 'db'],
            });
            if (!path) throw new AppError('INVALID_ZONE_FILE', 'No file was chosen.');
            parsed = parseZoneBytes(new Uint8Array(await readFile(path)), {
              origin: zone,
              defaultTtl,
            });
            break;
          }
          case 'zone-text':
            parsed = parseZoneFile(source.text, { origin: zone, defaultTtl });
            break;
          case 'pkdns-text':
            // pkdns names are relative to the key: read them as the traditional zone's.
            parsed = parsePkdnsZone(source.text, zone, {
              ...(source.externalIpv4 ? { externalIpv4: source.externalIpv4 } : {}),
              ...(source.externalIpv6 ? { externalIpv6: source.externalIpv6 } : {}),
            });
            break;
          case 'live':
            parsed = await lookUpZone({
              zone,
              names: source.names,
              server: source.resolver,
              defaultTtl,
            });
            break;
        }
      } catch (error) {
        zoneError(error);
      }
      const current = storedPacket(store, domain)?.records ?? [];
      let plan: MigrationPlan;
      try {
        plan = planMigration({ zone: parsed!, publicKey: domain, current });
      } catch (error) {
        return zoneError(error);
      }
      const planId = randomUUID();
      plans.set(planId, { ...plan, planId, domain });
      while (plans.size > 10) plans.delete(plans.keys().next().value!);
      return { ...plan, planId, domain };
    },
    'migrations:start': async ({ planId, deadlineMinutes }) => {
      const plan = plans.get(planId);
      if (!plan) throw new AppError('NOT_FOUND', 'This plan is no longer here: make it again.');
      if (!plan.size.fits)
        throw new AppError(
          'PACKET_TOO_LARGE',
          `These records take ${plan.size.bytes} bytes; a domain holds at most ${plan.size.limit}.`,
        );
      if (plan.safety.needsConfirmation) {
        const confirmed = await context.dialogs.confirm({
          title: `Move ${plan.zone} onto its Pubky key?`,
          message: 'This plan removes or redirects records the key publishes now.',
          detail: `${plan.safety.reasons.join('\n\n')}\n\nYou can roll it back afterwards.`,
          confirmLabel: 'Publish the plan',
        });
        if (!confirmed) return { started: false };
      }
      plans.delete(planId);
      const started = migrations().start({
        domain: plan.domain,
        zone: plan.zone,
        planned: plan.carried.map((c) => c.record),
        deadlineMs: deadlineMinutes * 60_000,
      });
      domainsChanged(plan.domain);
      return migrationView(started);
    },
    'migrations:list': async ({ domain }) =>
      store.migrationsOf(domainOf(domain)).map(migrationView),
    'migrations:rollback': async ({ migrationId }) => {
      const current = store.getMigration(migrationId);
      if (!current) throw new AppError('NOT_FOUND', 'No such migration.');
      const confirmed = await context.dialogs.confirm({
        title: `Roll back ${current.zone}?`,
        message: `Publish the ${current.previous.length} records ${nameOf(current.domain)} had before the migration again?`,
        detail:
          'They are signed again with a newer timestamp, so every relay and the DHT take them.',
        confirmLabel: 'Roll back',
      });
      if (!confirmed) return migrationView(current);
      return migrationView(migrations().rollback(migrationId));
    },
    'migrations:cancel': async ({ migrationId }) => migrationView(migrations().cancel(migrationId)),
    'migrations:export': async ({ domain: input, format, zone }) => {
      const domain = domainOf(input);
      const records = storedPacket(store, domain)?.records ?? store.getDrafts(domain);
      const origin = zone.replace(/\.$/, '') || domain;
      const path = await context.dialogs.chooseSavePath({
        title: format === 'bind' ? `Zone file for ${origin}` : `pkdns zone for ${nameOf(domain)}`,
        defaultName: `${format === 'bind' ? origin : domain.slice(0, 8)}.zone`,
        filterName: 'Zone files',
        extensions: ['zone'],
      });
      if (!path) return { saved: false };
      await writeFile(path, format === 'bind' ? toBindZone(records, origin) : toPkdnsZone(records));
      return { saved: true, path };
    },
    'guardians:overview': async ({ familyId }) => {
      const [guardians, backups, recoveries] = await Promise.all([
        families().guardians(familyId),
        families().backups(familyId),
        families().familyRecoveries(familyId),
      ]);
      return {
        guardians: guardians.map(({ guardianId, publicKey, displayName, backupStatus }) => ({
          guardianId,
          publicKey,
          displayName,
          backupStatus,
        })),
        backups,
        recoveries: recoveries.recoveries,
        freezes: recoveries.freezes.map(({ publicKey, frozenUntil }) => ({
          publicKey,
          frozenUntil,
        })),
        recoveryWaitHours: recoveries.recoveryWaitSeconds / 3600,
      };
    },
    'guardians:back-up': async ({ familyId, publicKey, threshold }) => {
      const domain = domainOf(publicKey);
      if (!vault.list().includes(domain))
        throw new AppError('KEY_NOT_FOUND', 'Only a key this computer holds can be backed up.');
      const guardians = await families().guardians(familyId);
      if (guardians.length < 2)
        throw new AppError('INVALID_BACKUP', 'Invite at least two guardians first.');
      const confirmed = await context.dialogs.confirm({
        title: `Back up ${nameOf(domain)} with guardians?`,
        message: `Any ${threshold} of these ${guardians.length} guardians together can restore this key; fewer cannot.`,
        detail: guardians.map((g) => `${g.displayName}: ${g.publicKey}`).join('\n'),
        confirmLabel: 'Back up',
      });
      if (!confirmed) return { backedUp: false };
      const made = await vault.backupForGuardians(domain, guardians, threshold);
      const created = await families().createBackup(familyId, {
        publicKey: domain,
        threshold,
        shares: made.shares.map((share) => ({
          guardianId: share.guardianId,
          encryptedShare: Buffer.from(share.sealed).toString('base64'),
          commitment: Buffer.from(share.commitment).toString('base64'),
        })),
        commitmentSignature: Buffer.from(made.signature).toString('base64'),
      });
      return { backupId: created.backupId };
    },
    'guardians:set-wait': async ({ familyId, hours }) => {
      await families().setRecoveryWait(familyId, Math.round(hours * 3600));
      return { hours };
    },
    'guardians:answer-recovery': async ({ familyId, recoveryId, answer }) => {
      if (answer === 'approve') {
        const confirmed = await context.dialogs.confirm({
          title: 'Release the guardians’ shares now?',
          message: 'The machine that asked gets the key as soon as enough guardians approve.',
          detail: 'Only do this if you know it is your family’s own new machine.',
          confirmLabel: 'Release now',
        });
        if (!confirmed) return { answered: false };
      }
      await families().answerRecovery(familyId, recoveryId, answer);
      return { answered: true };
    },
    'guarding:list': async () => {
      const me = session().view();
      if (me.state !== 'signed-in') throw new AppError('NOT_SIGNED_IN', 'Sign in first.');
      const [shares, recoveries] = await Promise.all([
        families().guardedShares(),
        families().guardedRecoveries(),
      ]);
      return {
        shares: shares.map((share) => ({
          backupId: share.backupId,
          familyId: share.familyId,
          familyName: share.familyName,
          publicKey: share.publicKey,
          threshold: share.threshold,
          shareCount: share.shareCount,
          acknowledgedAt: share.acknowledgedAt,
          problem: checkShare(me.publicKey, share) ?? null,
        })),
        recoveries,
      };
    },
    'guarding:acknowledge': async ({ backupId }) => {
      const me = session().view();
      if (me.state !== 'signed-in') throw new AppError('NOT_SIGNED_IN', 'Sign in first.');
      const share = (await families().guardedShares()).find((s) => s.backupId === backupId);
      if (!share) throw new AppError('NOT_FOUND', 'You hold no share of that backup.');
      const problem = checkShare(me.publicKey, share);
      if (problem) throw new AppError('INVALID_BACKUP', `Not acknowledged: ${problem}.`);
      await families().acknowledgeShare(backupId);
      return { acknowledged: true };
    },
    'guarding:approve': async ({ recoveryId }) => {
      const me = session().view();
      if (me.state !== 'signed-in') throw new AppError('NOT_SIGNED_IN', 'Sign in first.');
      const recovery = (await families().guardedRecoveries()).find(
        (r) => r.recoveryId === recoveryId,
      );
      if (!recovery) throw new AppError('NOT_FOUND', 'No open recovery you guard.');
      const share = (await families().guardedShares()).find(
        (s) => s.publicKey === recovery.publicKey && s.familyId === recovery.familyId,
      );
      if (!share) throw new AppError('NOT_FOUND', 'You hold no share of that key.');
      const confirmed = await context.dialogs.confirm({
        title: `Help ${recovery.familyName} recover a key?`,
        message: `Your share of ${recovery.publicKey} goes, sealed, to the key ${recovery.ephemeralPublicKey}.`,
        detail:
          'Approve only if the family asked you themselves (call them). With enough approvals, that machine gets the key after the waiting period.',
        confirmLabel: 'Approve',
      });
      if (!confirmed) return { approved: false };
      const sealed = vault.resealGuardianShare(
        me.publicKey,
        share.publicKey,
        new Uint8Array(Buffer.from(share.encryptedShare, 'base64')),
        recovery.ephemeralPublicKey,
      );
      await families().sendRecoveryShare(recoveryId, sealed);
      return { approved: true };
    },
    'guarding:freeze': async ({ familyId, hours }) =>
      families().freeze(familyId, Math.round(hours * 3600)),
    'recovery:start': async ({ publicKey }) => {
      const domain = domainOf(publicKey);
      // A one-time key for this recovery: the guardians seal their shares to it.
      const oneTime = vault.create(`one-time key to recover ${domain.slice(0, 8)}`).publicKey;
      await session().signIn(oneTime);
      const recovery = await families().askRecovery(domain);
      store.setSetting('guardianRecovery', { recoveryId: recovery.recoveryId, domain, oneTime });
      keysChanged(oneTime);
      return { state: 'waiting', recovery };
    },
    'recovery:status': async () => {
      const pending = store.getSetting<{ recoveryId: string; domain: string; oneTime: string }>(
        'guardianRecovery',
      );
      if (!pending) return { state: 'none' };
      const recovery = await families().recovery(pending.recoveryId);
      if (recovery.status === 'cancelled') return { state: 'cancelled', recovery };
      // Released, but the guardians' shares may still be on their way.
      const arrived = recovery.shares.filter((share) => share.sealed).length;
      if (!recovery.released || !recovery.commitmentSignature || arrived < recovery.threshold)
        return { state: 'waiting', recovery };
      const { publicKey, badGuardians } = await vault.recoverFromShares({
        oneTimeKey: pending.oneTime,
        domainKey: pending.domain,
        threshold: recovery.threshold,
        signature: new Uint8Array(Buffer.from(recovery.commitmentSignature, 'base64')),
        shares: recovery.shares.map((share) => ({
          guardianKey: share.guardianKey,
          commitment: share.commitment,
          ...(share.sealed ? { sealed: new Uint8Array(Buffer.from(share.sealed, 'base64')) } : {}),
        })),
        label: '',
      });
      store.addDomain(publicKey);
      await families().completeRecovery(pending.recoveryId);
      // The one-time key did its work.
      await session().signOut();
      vault.delete(pending.oneTime, pending.oneTime);
      store.setSetting('guardianRecovery', null);
      keysChanged(publicKey);
      fetchPublished(publicKey);
      return { state: 'recovered', publicKey, badGuardians };
    },
    'key-shares:decline': async ({ keyShareId }) => {
      await families().answerKeyShare(keyShareId, false);
      return { declined: true };
    },
    'invitations:list': async () => families().invitations(),
    'invitations:accept': async ({ invitationId }) => {
      await families().accept(invitationId);
      void context.liveFeed?.refresh();
      return { accepted: true };
    },
    'invitations:decline': async ({ invitationId }) => {
      await families().decline(invitationId);
      return { declined: true };
    },
    'session:get': async () => session().view(),
    'session:sign-in': async ({ publicKey }) => session().signIn(domainOf(publicKey)),
    'session:sign-out': async () => session().signOut(),
    'settings:get': async () => settingsView(),
    'settings:save': async (next) => {
      settings.save(next);
      void publisher.processOutbox();
      return settingsView();
    },
    'diagnostics:export': async () => {
      const path = await context.dialogs.chooseSavePath({
        title: 'Save diagnostics',
        defaultName: `pubky-domains-diagnostics-${new Date(now()).toISOString().slice(0, 10)}.txt`,
        filterName: 'Text',
        extensions: ['txt'],
      });
      if (!path) return { saved: false };
      const report = diagnosticsReport({
        version: context.version,
        settings: settings.get(),
        store,
        log: diagnostics,
      });
      await writeFile(path, report, { mode: 0o600 });
      return { saved: true, path };
    },
    'publish:retry': async ({ domain: input, target }) => {
      const retrying = store.retryNow(domainOf(input), target, now());
      if (retrying) void publisher.processOutbox();
      return { retrying };
    },
    'publish:status': async ({ domain: input }) => {
      const domain = domainOf(input);
      return {
        domain,
        targets: store
          .outboxEntries(domain)
          .filter((entry) => entry.state !== 'superseded')
          .map(({ target, state, attempts, lastError, timestamp }) => ({
            target,
            state,
            attempts,
            lastError,
            timestamp,
          })),
        history: store
          .history(domain, 50)
          .map(({ target, outcome, detail, at }) => ({ target, outcome, detail, at })),
      };
    },
  };
}
