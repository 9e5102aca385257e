// A family domain's sovereignty score explained: the number, the five factors with the evidence
// behind each, and for each factor that is not full the action that would raise it, linking to
// the screen that does it; the history as a chart.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { FACTOR_LABELS, type Factor } from '../../../src-shared/score/score-rules';
import { call } from '../../ipc/client';
import { HistoryChart } from '../../ui/history-chart';
import { ErrorMessage, Skeleton } from '../../ui/states';
import { domainName, familyKeys } from './family-shared';

/** What each reason code means, in words. */
const REASONS: Readonly<Record<string, string>> = {
  signed_packet_stored: 'a signed packet is stored',
  independent_publishers: 'relays and the DHT confirmed the current packet',
  homeserver_self_hosted: 'the family runs its own homeserver',
  homeserver_third_party: 'a homeserver run by someone else',
  custody_os_keychain: 'the key is in an OS keychain',
  custody_guardian_recovered: 'the key was recovered through guardians',
  guardian_backup_complete: 'guardians hold an acknowledged backup',
  guardian_backup_partial: 'a guardian backup is not yet acknowledged by enough guardians',
  guardian_backup_needs_reshare: 'the guardian backup needs fresh shares',
  fresh_on_relays: 'relays confirmed it in the last 24 hours',
  fresh_on_dht: 'the DHT confirmed it in the last 24 hours',
  no_registrar_or_resolver: 'no registrar or resolver sees the queries',
  private_addresses_published: 'private network addresses are published',
  recovery_file_exported: 'a recovery file was saved',
  registrar_controlled: 'a registrar controls the name',
  single_resolution_path: 'one resolution path',
  registrar_and_resolver_see_queries: 'the registrar and resolvers see the queries',
  registrar_transfer: 'the name moves only by registrar transfer',
};

/** The actions that raise a factor, each the screen that does it. */
function actionsFor(
  factor: Factor,
  key: string | null,
  familyId: string,
): { label: string; to: string }[] {
  const domain = key ? `/domains/${key}` : undefined;
  switch (factor.key) {
    case 'provider_independence':
      return [
        ...(domain ? [{ label: 'Set a homeserver (_pubky record)', to: `${domain}/records` }] : []),
        { label: 'Publish to more relays', to: '/settings' },
      ];
    case 'key_ownership':
      return [
        ...(key ? [{ label: 'Back up the key', to: `/keys/${key}/backup` }] : []),
        { label: 'Add guardians', to: `/family/${familyId}` },
      ];
    case 'censorship_resistance':
      return [
        ...(domain ? [{ label: 'Publish now', to: `${domain}/publishing` }] : []),
        { label: 'Add relays, turn on the DHT', to: '/settings' },
      ];
    case 'privacy':
      return domain ? [{ label: 'Remove private addresses', to: `${domain}/records` }] : [];
    case 'portability':
      return key ? [{ label: 'Save a recovery file', to: `/keys/${key}/backup` }] : [];
  }
}

export function ScoreScreen() {
  const { familyId = '', domainId = '' } = useParams();
  const score = useQuery({
    queryKey: ['score', domainId],
    queryFn: () => call('family:score', { domainId }),
  });
  const family = useQuery({
    queryKey: familyKeys.one(familyId),
    queryFn: () => call('family:get', { familyId }),
  });
  const domain = family.data?.domains.find((d) => d.id === domainId);
  const points = useMemo(
    () =>
      (score.data?.history ?? []).map((h) => ({ at: Date.parse(h.computedAt), value: h.score })),
    [score.data],
  );
  if (score.isPending) return <Skeleton label="Loading the score" />;
  if (score.isError) return <ErrorMessage error={score.error} retry={() => void score.refetch()} />;
  const key = domain?.heldHere ? domain.publicKey : null;
  return (
    <section aria-labelledby="score-title" className="stack stack--wide">
      <p>
        <Link to={`/family/${familyId}`}>← {family.data?.name ?? 'Family'}</Link>
      </p>
      <h1 id="score-title">
        {domain ? domainName(domain.name) : 'Domain'}: sovereignty {score.data.score} / 100
      </h1>
      <ul className="plain factors" aria-label="Factors">
        {score.data.breakdown.factors.map((factor) => (
          <li key={factor.key} className="card">
            <div className="row">
              <strong>{FACTOR_LABELS[factor.key]}</strong>
              <meter
                min={0}
                max={20}
                value={factor.points}
                aria-label={`${FACTOR_LABELS[factor.key]} points`}
              />
              <span>
                {factor.points} / {factor.max}
              </span>
            </div>
            <ul className="reasons">
              {factor.reasons.map((reason) => (
                <li key={reason.code}>
                  {reason.points > 0 ? '+' : ''}
                  {reason.points}: {REASONS[reason.code] ?? reason.code.replaceAll('_', ' ')}
                </li>
              ))}
            </ul>
            {factor.points < factor.max && (
              <div className="row">
                {actionsFor(factor, key, familyId).map((action) => (
                  <Link key={action.label} className="button" to={action.to}>
                    {action.label}
                  </Link>
                ))}
              </div>
            )}
          </li>
        ))}
      </ul>
      <HistoryChart points={points} label="Score over time" />
    </section>
  );
}
