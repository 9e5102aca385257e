// Home answers "is everything safe?" first: what needs attention, then every domain (a key is a
// domain), searchable and filterable, fluid with thousands (a virtual list).
import { useVirtualizer } from '@tanstack/react-virtual';
import { useDeferredValue, useMemo, useRef, useState } from 'react';
import { Link, Navigate } from 'react-router';
import type { AttentionReason, DomainSummary } from '../../../src-shared/ipc';
import { targetLabel } from '../../../src-shared/publish/targets';
import { useDomains, useKeys } from '../../ipc/hooks';
import { shortKey, ShortKey } from '../../ui/short-key';
import { EmptyState, ErrorMessage, Skeleton } from '../../ui/states';
import { Time } from '../../ui/time';
import { HEALTH_WORDS } from './health';

type Filter = 'all' | 'attention' | 'unpublished';

function attentionText(reason: AttentionReason): { text: string; action: string; to: string } {
  switch (reason.kind) {
    case 'not_backed_up':
      return { text: 'not backed up', action: 'Back up now', to: 'backup' };
    case 'target_failing':
      return {
        text: `${targetLabel(reason.target)} failing (${reason.attempts} tries): ${reason.lastError}`,
        action: 'See publishing',
        to: 'publishing',
      };
    case 'not_republished':
      return { text: 'not republished lately', action: 'See publishing', to: 'publishing' };
    case 'conflict':
      return {
        text: 'another device published newer records',
        action: 'Compare them',
        to: 'records',
      };
  }
}

function Attention({ domains }: { domains: readonly DomainSummary[] }) {
  const items = domains.flatMap((d) => d.attention.map((reason) => ({ domain: d, reason })));
  if (items.length === 0) {
    return (
      <p className="state state--ok" role="status">
        ✓ Everything is safe: every key is backed up and every target holds what you published.
      </p>
    );
  }
  return (
    <section aria-labelledby="attention-title" className="attention">
      <h2 id="attention-title">Needs attention ({items.length})</h2>
      <ul>
        {items.slice(0, 20).map(({ domain, reason }, i) => {
          const { text, action, to } = attentionText(reason);
          const href =
            to === 'backup'
              ? `/keys/${domain.publicKey}/backup`
              : `/domains/${domain.publicKey}/publishing`;
          return (
            <li key={`${domain.publicKey}-${i}`}>
              <span aria-hidden="true">⚠</span>{' '}
              <strong>{domain.label || shortKey(domain.publicKey)}</strong> <span>{text}</span>{' '}
              <Link to={href}>{action}</Link>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function DomainRow({ domain }: { domain: DomainSummary }) {
  return (
    <div className="domain-row" role="listitem">
      <span className={`dot dot--${domain.health}`} aria-hidden="true" />
      <Link to={`/domains/${domain.publicKey}`} className="domain-name">
        {domain.label || shortKey(domain.publicKey)}
      </Link>
      <ShortKey publicKey={domain.publicKey} />
      <span>
        {domain.recordCount} {domain.recordCount === 1 ? 'record' : 'records'}
        {domain.unpublishedChanges ? ' · changes not published' : ''}
      </span>
      <span>
        {HEALTH_WORDS[domain.health]}
        {domain.lastPublishedAt !== null && (
          <>
            {' '}
            <Time at={domain.lastPublishedAt} />
          </>
        )}
      </span>
      <span>
        {domain.held ? (domain.backup ? 'backed up' : 'not backed up') : 'key not on this computer'}
      </span>
    </div>
  );
}

function DomainList({ domains }: { domains: readonly DomainSummary[] }) {
  const parent = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: domains.length,
    getScrollElement: () => parent.current,
    estimateSize: () => 52,
    overscan: 10,
  });
  return (
    <div
      ref={parent}
      className="domain-list"
      role="list"
      aria-label="Domains"
      tabIndex={0}
      style={{ height: Math.min(virtual.getTotalSize() + 2, 640) }}
    >
      <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {virtual.getVirtualItems().map((item) => (
          <div
            key={domains[item.index]!.publicKey}
            style={{
              position: 'absolute',
              top: 0,
              left: 0,
              right: 0,
              transform: `translateY(${item.start}px)`,
            }}
          >
            <DomainRow domain={domains[item.index]!} />
          </div>
        ))}
      </div>
    </div>
  );
}

export function HomeScreen() {
  const keys = useKeys();
  const domains = useDomains();
  const [search, setSearch] = useState('');
  const [filter, setFilter] = useState<Filter>('all');
  const query = useDeferredValue(search.trim().toLowerCase());
  const shown = useMemo(() => {
    const all = domains.data ?? [];
    return all.filter(
      (d) =>
        (filter === 'all' ||
          (filter === 'attention' && d.attention.length > 0) ||
          (filter === 'unpublished' && (d.health === 'never' || d.unpublishedChanges))) &&
        (!query || d.label.toLowerCase().includes(query) || d.publicKey.includes(query)),
    );
  }, [domains.data, filter, query]);

  if (keys.isPending || domains.isPending)
    return <Skeleton rows={5} label="Loading your domains" />;
  if (keys.isError) return <ErrorMessage error={keys.error} retry={() => void keys.refetch()} />;
  if (domains.isError)
    return <ErrorMessage error={domains.error} retry={() => void domains.refetch()} />;
  if (keys.data.length === 0 && domains.data.length === 0)
    return <Navigate to="/welcome" replace />;

  return (
    <section aria-labelledby="home-title">
      <h1 id="home-title">Home</h1>
      <Attention domains={domains.data} />
      <div className="toolbar">
        <h2>Domains</h2>
        <input
          type="search"
          aria-label="Search domains"
          placeholder="Search by name or key"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <select
          aria-label="Show"
          value={filter}
          onChange={(event) => setFilter(event.target.value as Filter)}
        >
          <option value="all">All</option>
          <option value="attention">Needs attention</option>
          <option value="unpublished">Not published</option>
        </select>
        <Link className="button" to="/welcome">
          New key
        </Link>
      </div>
      {shown.length === 0 ? (
        <EmptyState title="No domain matches">
          <p>
            Nothing matches “{search}”{filter !== 'all' ? ' with this filter' : ''}.
          </p>
        </EmptyState>
      ) : (
        <DomainList domains={shown} />
      )}
    </section>
  );
}
