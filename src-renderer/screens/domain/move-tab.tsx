// Moving a domain from traditional DNS onto this key, and back (docs/migration.md): the source
// (a zone file main opens, pasted text, a pkdns zone, or a live lookup) → the plan (what moves,
// what stays behind and why, the change against what the key publishes, the packet size, what
// needs confirming) → start → each step live, with roll back; and the key's records exported as
// a zone file for any DNS provider.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import {
  zoneName,
  type DomainSummary,
  type MigrationView,
  type PlanView,
} from '../../../src-shared/ipc';
import { recordValueText, type DnsRecord } from '../../../src-shared/pkarr';
import { call, messageOf } from '../../ipc/client';
import { TextAreaField, TextField } from '../../ui/field';
import { ErrorMessage, Skeleton } from '../../ui/states';
import { TableHead } from '../../ui/table-head';
import { Time } from '../../ui/time';

export const migrationKeys = { of: (domain: string) => ['migrations', domain] as const };

const STATUS_WORDS: Record<MigrationView['status'], string> = {
  pending: 'Waiting to start',
  in_progress: 'Signing and publishing',
  verifying: 'Checking every relay and the DHT',
  completed: '✓ Completed: every target serves the planned records',
  failed: '⚠ Failed',
  cancelled: 'Cancelled',
  rolled_back: '↩ Rolled back to the previous records',
};
const ACTIVE = new Set(['pending', 'in_progress', 'verifying']);

const sourceForm = z
  .object({
    zone: zoneName,
    kind: z.enum(['zone-file', 'zone-text', 'pkdns-text', 'live']),
    text: z.string().max(4 * 1024 * 1024),
    externalIpv4: z.string().trim().max(45),
    externalIpv6: z.string().trim().max(45),
    resolver: z.string().trim().max(60),
    names: z.string().max(5000),
    defaultTtl: z.coerce.number().int().min(0).max(2_147_483_647),
  })
  .superRefine((values, ctx) => {
    if ((values.kind === 'zone-text' || values.kind === 'pkdns-text') && !values.text.trim())
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'Paste the zone here' });
    if (values.kind === 'live' && !values.resolver)
      ctx.addIssue({
        code: 'custom',
        path: ['resolver'],
        message: 'Give a DNS server’s address, such as 192.0.2.53',
      });
  });
type SourceValues = z.input<typeof sourceForm>;

const recordLine = (r: DnsRecord) => `${r.name} ${r.type} ${recordValueText(r)} (TTL ${r.ttl})`;

function SourceStep({ domain, onPlan }: { domain: string; onPlan: (plan: PlanView) => void }) {
  const form = useForm<SourceValues, unknown, z.output<typeof sourceForm>>({
    resolver: zodResolver(sourceForm),
    defaultValues: {
      zone: '',
      kind: 'zone-file',
      text: '',
      externalIpv4: '',
      externalIpv6: '',
      resolver: '',
      names: 'www',
      defaultTtl: 3600,
    },
  });
  const kind = form.watch('kind');
  const errors = form.formState.errors;
  const onSubmit = form.handleSubmit(async (values) => {
    const source =
      values.kind === 'zone-file'
        ? { kind: 'zone-file' as const }
        : values.kind === 'zone-text'
          ? { kind: 'zone-text' as const, text: values.text }
          : values.kind === 'pkdns-text'
            ? {
                kind: 'pkdns-text' as const,
                text: values.text,
                ...(values.externalIpv4 ? { externalIpv4: values.externalIpv4 } : {}),
                ...(values.externalIpv6 ? { externalIpv6: values.externalIpv6 } : {}),
              }
            : {
                kind: 'live' as const,
                resolver: values.resolver,
                names: values.names.split(/[\s,]+/).filter(Boolean),
              };
    try {
      onPlan(
        await call('migrations:plan', {
          domain,
          zone: values.zone,
          source,
          defaultTtl: values.defaultTtl,
        }),
      );
    } catch (error) {
      form.setError(
        values.kind === 'live' ? 'resolver' : values.kind === 'zone-file' ? 'kind' : 'text',
        {
          message: messageOf(error),
        },
      );
    }
  });
  return (
    <form className="card stack" onSubmit={onSubmit} noValidate aria-labelledby="move-source-title">
      <h2 id="move-source-title">Move a domain onto this key</h2>
      <p className="hint">
        Bring a domain you hold at a registrar (its records) onto this Pubky key. You see the plan
        before anything is published, and you can roll it back.
      </p>
      <TextField
        id="move-zone"
        label="The domain’s name"
        error={errors.zone?.message}
        input={{ placeholder: 'smith.example', spellCheck: false, ...form.register('zone') }}
      />
      <fieldset className="field">
        <legend>Where its records come from</legend>
        {(
          [
            ['zone-file', 'A zone file (exported from your DNS provider)'],
            ['zone-text', 'Zone file text, pasted'],
            ['pkdns-text', 'A pkdns zone'],
            ['live', 'Look them up live through a DNS server'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="choice">
            <input type="radio" value={value} {...form.register('kind')} /> {label}
          </label>
        ))}
        <p id="move-kind-error" className="field-error" role="alert">
          {errors.kind?.message}
        </p>
      </fieldset>
      {(kind === 'zone-text' || kind === 'pkdns-text') && (
        <TextAreaField
          id="move-text"
          label={kind === 'pkdns-text' ? 'The pkdns zone' : 'The zone file'}
          error={errors.text?.message}
          input={{ rows: 10, spellCheck: false, className: 'mono', ...form.register('text') }}
        />
      )}
      {kind === 'pkdns-text' && (
        <div className="row">
          <TextField
            id="move-ipv4"
            label="This machine’s external IPv4 (for {external_ipv4})"
            input={form.register('externalIpv4')}
          />
          <TextField
            id="move-ipv6"
            label="External IPv6 (for {external_ipv6})"
            input={form.register('externalIpv6')}
          />
        </div>
      )}
      {kind === 'live' && (
        <>
          <TextField
            id="move-resolver"
            label="DNS server"
            hint="Your provider’s name server or a resolver, as an address (192.0.2.53 or [2001:db8::53]:53)."
            error={errors.resolver?.message}
            input={{ spellCheck: false, ...form.register('resolver') }}
          />
          <TextField
            id="move-names"
            label="Names to look up besides the domain itself"
            hint="A zone cannot be listed over DNS: name the ones you use (www, mail, _dmarc …)."
            input={{ spellCheck: false, ...form.register('names') }}
          />
        </>
      )}
      <TextField
        id="move-ttl"
        label="TTL for records that give none (seconds)"
        error={errors.defaultTtl?.message}
        input={{
          type: 'number',
          min: 0,
          style: { width: '10rem' },
          ...form.register('defaultTtl'),
        }}
      />
      <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
        {form.formState.isSubmitting ? 'Reading the records…' : 'Make the plan'}
      </button>
    </form>
  );
}

function PlanStep({
  plan,
  onBack,
  onStarted,
}: {
  plan: PlanView;
  onBack: () => void;
  onStarted: () => void;
}) {
  const [deadline, setDeadline] = useState(10);
  const client = useQueryClient();
  const start = useMutation({
    mutationFn: () => call('migrations:start', { planId: plan.planId, deadlineMinutes: deadline }),
    onSuccess: async (result) => {
      await client.invalidateQueries({ queryKey: migrationKeys.of(plan.domain) });
      if ('id' in result) onStarted();
    },
  });
  const added = new Set(plan.change.added.map(recordLine));
  const tone = plan.size.bytes > plan.size.limit ? 'bad' : plan.size.bytes >= 900 ? 'warn' : 'ok';
  return (
    <section className="stack" aria-labelledby="plan-title">
      <h2 id="plan-title">
        The plan for {plan.zone}: {plan.carried.length} records move, {plan.leftOut.length} stay
        behind
      </h2>
      <div className={`size-meter size-meter--${tone}`}>
        <label htmlFor="plan-size">Packet</label>
        <meter
          id="plan-size"
          min={0}
          max={plan.size.limit}
          high={900}
          optimum={0}
          value={Math.min(plan.size.bytes, plan.size.limit)}
        />
        <span>
          {plan.size.bytes} / {plan.size.limit} bytes
        </span>
      </div>
      {plan.suggestions.length > 0 && (
        <div className="card callout callout--bad" role="alert">
          <h3>Too large for one packet</h3>
          <ul>
            {plan.suggestions.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </div>
      )}
      <table>
        <TableHead caption="Records that move" columns={['Change', 'Line', 'Record']} />
        <tbody>
          {plan.carried.map((c) => (
            <tr
              key={`${c.line}-${recordLine(c.record)}`}
              className={added.has(recordLine(c.record)) ? 'row--added' : undefined}
            >
              <td>{added.has(recordLine(c.record)) ? '+ new' : '= already published'}</td>
              <td>{c.line}</td>
              <td className="mono">{recordLine(c.record)}</td>
            </tr>
          ))}
          {plan.change.removed.map((r) => (
            <tr key={`removed-${recordLine(r)}`} className="row--removed">
              <td>− goes</td>
              <td />
              <td className="mono">
                <s>{recordLine(r)}</s>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {plan.leftOut.length > 0 && (
        <table>
          <TableHead
            caption="Records that stay behind, and why"
            columns={['Line', 'Name', 'Type', 'Why']}
          />
          <tbody>
            {plan.leftOut.map((l) => (
              <tr key={`${l.line}-${l.type}-${l.name}`}>
                <td>{l.line}</td>
                <td className="mono">{l.name}</td>
                <td>{l.type}</td>
                <td>{l.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {plan.safety.needsConfirmation && (
        <div className="card callout callout--warn" role="note" aria-label="What this plan removes">
          <h3>⚠ This plan removes or redirects records</h3>
          {plan.safety.reasons.map((reason) => (
            <p key={reason}>{reason}</p>
          ))}
          <p className="hint">You will be asked to confirm before anything is published.</p>
        </div>
      )}
      <div className="card">
        <h3>Link the two sides</h3>
        <p className="hint">
          Add this record at your DNS provider, so anyone can check that {plan.zone} and this key
          belong together:
        </p>
        <code className="mono">{plan.linkRecord}</code>{' '}
        <button type="button" onClick={() => void navigator.clipboard?.writeText(plan.linkRecord)}>
          Copy
        </button>
      </div>
      <div className="row">
        <label htmlFor="plan-deadline">Give up verifying after (minutes)</label>
        <input
          id="plan-deadline"
          type="number"
          min={1}
          max={1440}
          value={deadline}
          onChange={(e) => setDeadline(Math.max(1, Number(e.target.value) || 1))}
          style={{ width: '6rem' }}
        />
      </div>
      <div className="row">
        <button type="button" onClick={onBack}>
          Back
        </button>
        <button
          type="button"
          className="primary"
          disabled={!plan.size.fits || start.isPending}
          onClick={() => start.mutate()}
        >
          {start.isPending ? 'Starting…' : 'Publish the plan'}
        </button>
      </div>
      <p role="status" className={start.isError ? 'field-error' : 'hint'}>
        {start.isError
          ? messageOf(start.error)
          : start.data && !('id' in start.data)
            ? 'Not started: nothing was published.'
            : ''}
      </p>
    </section>
  );
}

function Progress({ migration }: { migration: MigrationView }) {
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: migrationKeys.of(migration.domain) });
  const rollback = useMutation({
    mutationFn: () => call('migrations:rollback', { migrationId: migration.id }),
    onSuccess: refresh,
  });
  const cancel = useMutation({
    mutationFn: () => call('migrations:cancel', { migrationId: migration.id }),
    onSuccess: refresh,
  });
  const canRollBack =
    !migration.rollbackRequested && ['verifying', 'completed', 'failed'].includes(migration.status);
  return (
    <section className="card stack" aria-labelledby="migration-title">
      <h2 id="migration-title">
        Moving {migration.zone}: <span role="status">{STATUS_WORDS[migration.status]}</span>
      </h2>
      {migration.error && (
        <p className="field-error" role="alert">
          {migration.error}
        </p>
      )}
      {migration.shared && <p className="hint">The family’s other devices follow it live.</p>}
      <ol className="plain steps" aria-label="Steps">
        {migration.steps.map((step, i) => (
          <li key={i}>
            <Time at={step.at} /> {step.detail}
          </li>
        ))}
      </ol>
      <div className="row">
        {canRollBack && (
          <button type="button" onClick={() => rollback.mutate()} disabled={rollback.isPending}>
            Roll back
          </button>
        )}
        {migration.status === 'pending' && (
          <button type="button" onClick={() => cancel.mutate()}>
            Cancel
          </button>
        )}
      </div>
      {(rollback.isError || cancel.isError) && (
        <p className="field-error" role="alert">
          {messageOf(rollback.error ?? cancel.error)}
        </p>
      )}
    </section>
  );
}

function Export({ domain }: { domain: string }) {
  const [zone, setZone] = useState('');
  const save = useMutation({
    mutationFn: (format: 'bind' | 'pkdns') => call('migrations:export', { domain, format, zone }),
  });
  return (
    <section className="card stack" aria-labelledby="export-title">
      <h2 id="export-title">Move back to DNS</h2>
      <p className="hint">
        The records this key publishes, as a zone file any DNS provider imports (under the name you
        give), or in pkdns’s format.
      </p>
      <div className="row">
        <label htmlFor="export-zone">Under the name</label>
        <input
          id="export-zone"
          value={zone}
          placeholder="smith.example"
          spellCheck={false}
          onChange={(e) => setZone(e.target.value)}
          style={{ width: '16rem' }}
        />
        <button type="button" onClick={() => save.mutate('bind')} disabled={!zone.trim()}>
          Export a zone file
        </button>
        <button type="button" onClick={() => save.mutate('pkdns')}>
          Export for pkdns
        </button>
      </div>
      <p role="status" className={save.isError ? 'field-error' : 'hint'}>
        {save.isError
          ? messageOf(save.error)
          : save.data?.saved
            ? `✓ Saved to ${save.data.path}`
            : ''}
      </p>
    </section>
  );
}

export function MoveTab({ domain }: { domain: DomainSummary }) {
  const migrations = useQuery({
    queryKey: migrationKeys.of(domain.publicKey),
    queryFn: () => call('migrations:list', { domain: domain.publicKey }),
  });
  const [plan, setPlan] = useState<PlanView>();
  const [showLast, setShowLast] = useState(true);
  if (migrations.isPending) return <Skeleton label="Loading migrations" />;
  if (migrations.isError)
    return <ErrorMessage error={migrations.error} retry={() => void migrations.refetch()} />;
  const [latest] = migrations.data;
  const active = latest && ACTIVE.has(latest.status) ? latest : undefined;
  return (
    <div className="stack">
      {active ? (
        <Progress migration={active} />
      ) : plan ? (
        <PlanStep
          plan={plan}
          onBack={() => setPlan(undefined)}
          onStarted={() => {
            setPlan(undefined);
            setShowLast(true);
          }}
        />
      ) : (
        <>
          {latest && showLast && <Progress migration={latest} />}
          {domain.held ? (
            <SourceStep
              domain={domain.publicKey}
              onPlan={(made) => {
                setPlan(made);
                setShowLast(false);
              }}
            />
          ) : (
            <p className="hint">Only a key on this computer can take a domain.</p>
          )}
        </>
      )}
      {migrations.data.length > 1 && (
        <table>
          <TableHead caption="Earlier migrations" columns={['When', 'Domain', 'Result']} />
          <tbody>
            {migrations.data.slice(1).map((m) => (
              <tr key={m.id}>
                <td>
                  <Time at={m.createdAt} />
                </td>
                <td>{m.zone}</td>
                <td>{STATUS_WORDS[m.status]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Export domain={domain.publicKey} />
    </div>
  );
}
