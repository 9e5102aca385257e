// A domain: its records (staged edits, the size meter, Publish), its publishing (each relay
// and the DHT, live), the network's view, and moving it between DNS and Pubky. The tab is part
// of the address, so "See publishing" links land on it.
import * as Tabs from '@radix-ui/react-tabs';
import { Link, useNavigate, useParams } from 'react-router';
import { useDomains } from '../../ipc/hooks';
import { shortKey, ShortKey } from '../../ui/short-key';
import { EmptyState, ErrorMessage, Skeleton } from '../../ui/states';
import { HEALTH_WORDS } from '../home/health';
import { PublishingTab } from './publishing-tab';
import { RecordsTab } from './records-tab';
import { NetworkTab } from './network-tab';
import { MoveTab } from './move-tab';

const TABS = ['records', 'publishing', 'network', 'move'] as const;
type Tab = (typeof TABS)[number];

export function DomainScreen() {
  const { publicKey = '', tab = 'records' } = useParams();
  const navigate = useNavigate();
  const domains = useDomains();
  if (domains.isPending) return <Skeleton label="Loading the domain" />;
  if (domains.isError)
    return <ErrorMessage error={domains.error} retry={() => void domains.refetch()} />;
  const domain = domains.data.find((d) => d.publicKey === publicKey);
  if (!domain) {
    return (
      <EmptyState title="No such domain on this computer">
        <Link to="/">Go to Home</Link>
      </EmptyState>
    );
  }
  const current: Tab = (TABS as readonly string[]).includes(tab) ? (tab as Tab) : 'records';
  return (
    <section aria-labelledby="domain-title">
      <header className="domain-header">
        <h1 id="domain-title">{domain.label || shortKey(domain.publicKey)}</h1>
        <ShortKey publicKey={domain.publicKey} />
        <span className={`badge badge--${domain.health}`}>{HEALTH_WORDS[domain.health]}</span>
        {domain.held && !domain.backup && (
          <Link to={`/keys/${domain.publicKey}/backup`} className="badge badge--warn">
            ⚠ Not backed up — back up now
          </Link>
        )}
      </header>
      <Tabs.Root
        value={current}
        onValueChange={(value) =>
          void navigate(`/domains/${publicKey}/${value}`, { replace: true })
        }
        className="tabs"
      >
        <Tabs.List aria-label="Domain">
          <Tabs.Trigger value="records">Records</Tabs.Trigger>
          <Tabs.Trigger value="publishing">Publishing</Tabs.Trigger>
          <Tabs.Trigger value="network">Network</Tabs.Trigger>
          <Tabs.Trigger value="move">Move</Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="records">
          <RecordsTab
            domain={domain}
            onPublished={() => void navigate(`/domains/${publicKey}/publishing`)}
          />
        </Tabs.Content>
        <Tabs.Content value="publishing">
          <PublishingTab domain={domain} />
        </Tabs.Content>
        <Tabs.Content value="network">
          <NetworkTab domain={domain} />
        </Tabs.Content>
        <Tabs.Content value="move">
          <MoveTab domain={domain} />
        </Tabs.Content>
      </Tabs.Root>
    </section>
  );
}
