// Running a migration onto a Pubky key (docs/migration.md): pending → in_progress (sign and
// publish the planned records) → verifying (every relay and the DHT asked until each serves the
// planned packet) → completed, or failed at the deadline naming each target that disagreed.
// Rolling back publishes the records the key had before, re-signed with a newer timestamp. Each
// step is written to the local store before the next begins, so a crash resumes where it was;
// when the domain is a family's, the companion server is told each state (its feed tells the
// family's other devices).
import { randomUUID } from 'node:crypto';
import type { AppSettings } from '../../src-shared/settings';
import {
  recordValueText,
  validateRecord,
  z32Encode,
  parsePublicKey,
  type DnsRecord,
} from '../../src-shared/pkarr';
import { isFinal, pathBetween, type MigrationStatus } from '../../src-shared/migration/states';
import type { KeyVault } from '../custody/key-vault';
import { AppError } from '../errors';
import type { NetworkResolver, ResolvedAnswer } from '../network-resolver';
import type { Publisher } from '../publish/publisher';
import type { LocalStore, MigrationStep, StoredMigration } from '../store/local-store';
import { storedPacket } from '../store/stored-packet';
import { targetLabel } from '../../src-shared/publish/targets';

/** How long verification may take by default before the migration fails. */
export const DEFAULT_VERIFY_DEADLINE_MS = 10 * 60_000;

/** The family's server, told each state (best effort: a state it missed is told later). */
export interface MigrationMirror {
  create(
    domain: string,
    direction: StoredMigration['direction'],
    plan: { zone: string; records: number; planned: string[] },
  ): Promise<string | undefined>;
  move(serverId: string, status: MigrationStatus, error: string | null): Promise<void>;
}

export interface MigrationRunnerDeps {
  readonly store: LocalStore;
  readonly vault: KeyVault;
  readonly publisher: Publisher;
  readonly resolver: NetworkResolver;
  readonly settings: () => AppSettings;
  /** Whether the DHT is a target (running and wanted). */
  readonly dht: () => boolean;
  readonly mirror?: MigrationMirror;
  /** Told every change of a migration, as it is stored. */
  readonly onChange?: (migration: StoredMigration) => void;
  readonly log?: (line: string) => void;
  readonly now?: () => number;
  /** Between verification rounds. */
  readonly pollMs?: number;
}

const identity = (r: DnsRecord) => `${r.type} ${r.name} ${r.ttl} ${recordValueText(r)}`;
const sameRecords = (a: readonly DnsRecord[], b: readonly DnsRecord[], origin: string) => {
  const left = a.map((r) => identity(validateRecord(r, origin))).sort();
  const right = b.map((r) => identity(validateRecord(r, origin))).sort();
  return left.length === right.length && left.every((x, i) => x === right[i]);
};

export class MigrationRunner {
  private readonly running = new Map<string, Promise<StoredMigration>>();
  /** Migrations the server keeps no copy of (not a family domain here), asked once per run. */
  private readonly unmirrored = new Set<string>();
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly deps: MigrationRunnerDeps) {
    this.now = deps.now ?? Date.now;
  }

  private targets(): string[] {
    return [...this.deps.settings().relays, ...(this.deps.dht() ? ['dht'] : [])];
  }

  private save(
    id: string,
    change: Parameters<LocalStore['updateMigration']>[1],
    detail?: string,
  ): StoredMigration {
    const now = this.now();
    const step: MigrationStep | undefined = detail
      ? { at: now, status: change.status ?? this.deps.store.getMigration(id)!.status, detail }
      : undefined;
    return this.notify(this.deps.store.updateMigration(id, change, step, now));
  }

  /** Tells the listener of a stored change; a failing listener never stops the migration. */
  private notify(migration: StoredMigration): StoredMigration {
    try {
      this.deps.onChange?.(migration);
    } catch (error) {
      this.deps.log?.(`migration listener failed: ${String(error)}`);
    }
    return migration;
  }

  /**
   * Begins moving `domain` onto the planned records. The records the key publishes now are kept
   * for a rollback. Returns at once; the migration runs on (see `wait`).
   */
  start(input: {
    readonly domain: string;
    readonly zone: string;
    readonly direction?: StoredMigration['direction'];
    readonly planned: readonly DnsRecord[];
    readonly deadlineMs?: number;
  }): StoredMigration {
    const domain = z32Encode(parsePublicKey(input.domain));
    this.deps.vault.signer(domain); // the key must be here: KEY_NOT_FOUND otherwise
    if (this.targets().length === 0)
      throw new AppError(
        'NO_TARGETS',
        'Add a relay or turn the DHT on first: a migration is verified on every target.',
      );
    if (this.deps.store.migrationsOf(domain).some((m) => !isFinal(m.status)))
      throw new AppError('MIGRATION_RUNNING', 'A migration of this domain is already running.');
    const previous = storedPacket(this.deps.store, domain)?.records ?? [];
    const now = this.now();
    const id = randomUUID();
    this.deps.store.insertMigration({
      id,
      domain,
      zone: input.zone,
      direction: input.direction ?? 'dns_to_pubky',
      status: 'pending',
      planned: input.planned.map((r) => validateRecord(r, domain)),
      previous,
      publishedTimestamp: null,
      rollbackRequested: false,
      rollbackTimestamp: null,
      deadlineMs: input.deadlineMs ?? DEFAULT_VERIFY_DEADLINE_MS,
      verifyingSince: null,
      serverId: null,
      serverStatus: null,
      error: null,
      steps: [{ at: now, status: 'pending', detail: `planned ${input.planned.length} records` }],
      createdAt: now,
      updatedAt: now,
    });
    const created = this.notify(this.deps.store.getMigration(id)!);
    void this.drive(id);
    return created;
  }

  /** Resumes every migration a crash or a quit interrupted. */
  resumeAll(): void {
    for (const migration of this.deps.store.unfinishedMigrations()) void this.drive(migration.id);
  }

  /** Resolves with the migration once it reaches an end (and any rollback asked is done). */
  wait(id: string): Promise<StoredMigration> {
    return this.running.get(id) ?? Promise.resolve(this.deps.store.getMigration(id)!);
  }

  /** Asks for the previous records back (a completed, failed or verifying migration). */
  rollback(id: string): StoredMigration {
    const migration = this.deps.store.getMigration(id);
    if (!migration) throw new AppError('NOT_FOUND', 'No such migration.');
    if (!['verifying', 'completed', 'failed'].includes(migration.status))
      throw new AppError(
        'MIGRATION_STATE',
        `A ${migration.status.replace('_', ' ')} migration cannot be rolled back.`,
      );
    const saved = this.save(id, { rollbackRequested: true }, 'rollback asked');
    void this.drive(id);
    return saved;
  }

  /** Stops a migration that has not published yet. */
  cancel(id: string): StoredMigration {
    const migration = this.deps.store.getMigration(id);
    if (!migration) throw new AppError('NOT_FOUND', 'No such migration.');
    if (migration.status !== 'pending')
      throw new AppError(
        'MIGRATION_STATE',
        'Only a migration that has not published yet can be cancelled; roll it back instead.',
      );
    return this.save(id, { status: 'cancelled' }, 'cancelled');
  }

  private drive(id: string): Promise<StoredMigration> {
    const running = this.running.get(id);
    if (running) return running;
    const run = this.loop(id)
      .catch((error: unknown) => {
        this.deps.log?.(`migration ${id} stopped: ${String(error)}`);
        return this.deps.store.getMigration(id)!;
      })
      .finally(() => this.running.delete(id));
    this.running.set(id, run);
    return run;
  }

  private async loop(id: string): Promise<StoredMigration> {
    for (;;) {
      let m = this.deps.store.getMigration(id)!;
      if (this.closed) return m;
      if (this.deps.mirror) m = await this.tellServer(m);
      if (m.rollbackRequested && m.status !== 'rolled_back') {
        m = await this.rollBack(m);
        continue;
      }
      switch (m.status) {
        case 'pending':
          this.save(id, { status: 'in_progress' }, 'signing and publishing the planned records');
          break;
        case 'in_progress':
          if (m.publishedTimestamp === null) this.publish(m);
          else
            this.save(
              id,
              { status: 'verifying', verifyingSince: this.now() },
              `asking ${this.targets().map(targetLabel).join(', ')}`,
            );
          break;
        case 'verifying':
          await this.verify(m);
          break;
        default:
          return m;
      }
    }
  }

  /** Signs and queues the planned records, or finds that a crash left them published. */
  private publish(m: StoredMigration): void {
    const stored = storedPacket(this.deps.store, m.domain);
    if (
      stored &&
      stored.timestamp > m.createdAt * 1000 &&
      sameRecords(stored.records, m.planned, m.domain)
    ) {
      this.save(
        m.id,
        { publishedTimestamp: stored.timestamp },
        'found the planned packet published before the interruption',
      );
      return;
    }
    const signer = this.deps.vault.signer(m.domain);
    this.deps.store.setDrafts(m.domain, m.planned, this.now());
    const packet = this.deps.publisher.publish(signer, m.planned);
    void this.deps.publisher.processOutbox();
    this.save(m.id, { publishedTimestamp: packet.timestamp }, 'signed and queued for every target');
  }

  /** One round: every target agrees → completed; the deadline passed → failed, naming them. */
  private async verify(m: StoredMigration): Promise<void> {
    const view = await this.deps.resolver.resolve(m.domain, this.deps.settings(), 5000);
    const problems = view.answers.flatMap((answer) => {
      const problem = this.disagreement(answer, m);
      return problem ? [`${targetLabel(answer.target)} ${problem}`] : [];
    });
    if (problems.length === 0 && view.answers.length > 0) {
      this.save(
        m.id,
        { status: 'completed', error: null },
        'every target serves the planned records',
      );
      return;
    }
    if (this.now() - (m.verifyingSince ?? m.updatedAt) >= m.deadlineMs) {
      this.save(
        m.id,
        { status: 'failed', error: `not every target agreed in time: ${problems.join('; ')}` },
        `deadline passed: ${problems.join('; ')}`,
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, this.deps.pollMs ?? 2000));
  }

  private disagreement(answer: ResolvedAnswer, m: StoredMigration): string | undefined {
    switch (answer.state) {
      case 'not_found':
        return 'serves nothing';
      case 'error':
        return `does not answer (${answer.detail})`;
      case 'found':
        if (answer.timestamp < m.publishedTimestamp!) return 'serves an older packet';
        if (!sameRecords(answer.records, m.planned, m.domain))
          return 'serves a newer packet with other records';
        return undefined;
    }
  }

  /** Publishes the previous records again, newer than anything out (or finds that done). */
  private async rollBack(m: StoredMigration): Promise<StoredMigration> {
    if (m.rollbackTimestamp === null) {
      const packet = storedPacket(this.deps.store, m.domain);
      let timestamp: number | undefined;
      if (
        packet &&
        packet.timestamp > (m.publishedTimestamp ?? 0) &&
        sameRecords(packet.records, m.previous, m.domain)
      )
        timestamp = packet.timestamp;
      if (timestamp === undefined) {
        this.deps.store.setDrafts(m.domain, m.previous, this.now());
        timestamp = this.deps.publisher.publish(
          this.deps.vault.signer(m.domain),
          m.previous,
        ).timestamp;
        void this.deps.publisher.processOutbox();
      }
      m = this.save(m.id, { rollbackTimestamp: timestamp }, 'previous records signed again');
    }
    // Like the migration itself, done when every target serves it (or its deadline passed:
    // the outbox keeps sending; the step says where it was not yet).
    const since =
      m.steps.findLast((s) => s.detail === 'previous records signed again')?.at ?? this.now();
    for (;;) {
      if (this.closed) return m;
      const view = await this.deps.resolver.resolve(m.domain, this.deps.settings(), 5000);
      const missing = view.answers.flatMap((answer) => {
        const ok =
          answer.state === 'found' &&
          answer.timestamp >= m.rollbackTimestamp! &&
          sameRecords(answer.records, m.previous, m.domain);
        return ok ? [] : [targetLabel(answer.target)];
      });
      if (missing.length === 0)
        return this.save(
          m.id,
          { status: 'rolled_back' },
          'every target serves the previous records',
        );
      if (this.now() - since >= m.deadlineMs)
        return this.save(
          m.id,
          { status: 'rolled_back' },
          `rolled back; not yet on ${missing.join(', ')} (still being sent)`,
        );
      await new Promise((resolve) => setTimeout(resolve, this.deps.pollMs ?? 2000));
    }
  }

  /** Brings the family's server to this state, through the states it missed. */
  private async tellServer(m: StoredMigration): Promise<StoredMigration> {
    const mirror = this.deps.mirror;
    if (!mirror) return m;
    try {
      let serverId = m.serverId;
      if (!serverId) {
        if (this.unmirrored.has(m.id)) return m;
        serverId =
          (await mirror.create(m.domain, m.direction, {
            zone: m.zone,
            records: m.planned.length,
            planned: m.planned.map(identity),
          })) ?? null;
        if (!serverId) {
          this.unmirrored.add(m.id);
          return m;
        }
        m = this.save(m.id, { serverId, serverStatus: 'pending' });
      }
      const from = (m.serverStatus ?? 'pending') as MigrationStatus;
      for (const status of pathBetween(from, m.status)) {
        await mirror.move(serverId, status, status === 'failed' ? m.error : null);
        m = this.save(m.id, { serverStatus: status });
      }
    } catch (error) {
      this.deps.log?.(`the server was not told of migration ${m.id}: ${String(error)}`);
    }
    return m;
  }

  close(): void {
    this.closed = true;
  }
}
