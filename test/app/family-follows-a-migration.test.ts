// Issue 21: a family domain's migration is kept on the companion server state by state, and the
// family's other devices follow it live through the feed's `domain_migration_event`s.
import { afterAll, describe, expect, it } from 'vitest';
import { FaultRelay } from '../support/fault-relay';
import { startCompanion } from '../support/companion';
import { waitFor } from '../support/processes';

const relays = [await FaultRelay.start(), await FaultRelay.start()];
afterAll(() => Promise.all(relays.map((r) => r.close())));
const { server, device } = await startCompanion();
const parent = await device('parent', { relays: relays.map((r) => r.url) });
const other = await device('other');

describe('a migration the family follows', () => {
  it('the server keeps each state; the other device’s activity shows them in order', async () => {
    const alex = (await parent.ask('keys:create', { label: 'Alex' })).publicKey;
    const sam = (await other.ask('keys:create', { label: 'Sam' })).publicKey;
    await parent.ask('session:sign-in', { publicKey: alex });
    await other.ask('session:sign-in', { publicKey: sam });
    const family = await parent.ask('family:create', { name: 'The Smiths' });
    await parent.ask('family:invite', { familyId: family.id, publicKey: sam, role: 'member' });
    const [invitation] = await other.ask('invitations:list', undefined);
    await other.ask('invitations:accept', { invitationId: invitation!.invitationId });
    const domain = (await parent.ask('keys:create', { label: 'smith' })).publicKey;
    await parent.ask('family:register-domain', { familyId: family.id, publicKey: domain });

    const plan = await parent.ask('migrations:plan', {
      domain,
      zone: 'smith.example',
      source: {
        kind: 'zone-text',
        text: '$ORIGIN smith.example.\n$TTL 300\n@ A 192.0.2.10\nwww CNAME @\n',
      },
      defaultTtl: 300,
    });
    const started = await parent.ask('migrations:start', {
      planId: plan.planId,
      deadlineMinutes: 1,
    });
    if (!('id' in started)) throw new Error('not started');
    const ended = await parent.main.migrations.wait(started.id);
    expect(ended.status).toBe('completed');

    const stored = await waitFor(async () => {
      const { rows } = await server.pool.query<{ status: string; plan: unknown }>(
        'SELECT status, plan FROM domain_migrations',
      );
      return rows[0]?.status === 'completed' ? rows[0] : undefined;
    }, 10_000);
    expect(stored.plan).toEqual({
      zone: 'smith.example',
      records: 2,
      planned: ['A @ 300 192.0.2.10', 'CNAME www 300 smith.example'],
    });

    const followed = await waitFor(async () => {
      const activity = await other.ask('family:activity', { familyId: family.id });
      const steps = activity.filter((a) => a.kind === 'domain_migration_event').map((a) => a.op);
      return steps.at(-1) === 'completed' ? { steps, activity } : undefined;
    }, 10_000);
    expect(followed.steps).toEqual(['pending', 'in_progress', 'verifying', 'completed']);
    expect(
      followed.activity
        .filter((a) => a.kind === 'domain_migration_event')
        .every((a) => a.domain === domain),
    ).toBe(true);
  });
});
