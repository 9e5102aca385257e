// Back a key up: its recovery phrase (hidden until revealed, then three words asked back before
// it counts) and/or a recovery file (passphrase with a strength meter, written by main where the
// person chooses). The phrase lives in this screen's state only, gone when the screen closes.
import * as Tabs from '@radix-ui/react-tabs';
import { Link, useParams } from 'react-router';
import { useKeys } from '../../ipc/hooks';
import { ShortKey } from '../../ui/short-key';
import { EmptyState, ErrorMessage, Skeleton } from '../../ui/states';
import { Time } from '../../ui/time';
import { PhraseBackup } from './phrase-backup';
import { RecoveryFileBackup } from './recovery-file-backup';

const METHOD = {
  phrase: 'the recovery phrase',
  'recovery-file': 'a recovery file',
  imported: 'the phrase or file it was imported from',
} as const;

export function BackupScreen() {
  const { publicKey = '' } = useParams();
  const keys = useKeys();
  if (keys.isPending) return <Skeleton label="Loading the key" />;
  if (keys.isError) return <ErrorMessage error={keys.error} retry={() => void keys.refetch()} />;
  const key = keys.data.find((k) => k.publicKey === publicKey);
  if (!key) {
    return (
      <EmptyState title="No such key on this computer">
        <Link to="/">Go to Home</Link>
      </EmptyState>
    );
  }
  return (
    <section aria-labelledby="backup-title">
      <h1 id="backup-title">Back up {key.label || 'this key'}</h1>
      <p>
        <ShortKey publicKey={key.publicKey} />
      </p>
      {key.backup ? (
        <p className="state state--ok" role="status">
          ✓ Backed up with {METHOD[key.backup.method]} <Time at={key.backup.at} />.
        </p>
      ) : (
        <p className="state state--warn" role="status">
          ⚠ Not backed up. If this computer is lost, so is the domain: no one could change it again.
        </p>
      )}
      <Tabs.Root defaultValue={key.phraseAvailable ? 'phrase' : 'file'} className="tabs">
        <Tabs.List aria-label="Backup method">
          <Tabs.Trigger value="phrase">Recovery phrase</Tabs.Trigger>
          <Tabs.Trigger value="file">Recovery file</Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="phrase">
          {key.phraseAvailable ? (
            <PhraseBackup publicKey={key.publicKey} />
          ) : (
            <p>
              {key.backup?.method === 'phrase'
                ? 'The phrase was checked and is no longer kept anywhere on this computer.'
                : 'The phrase is shown only in the session that made the key. Save a recovery file instead.'}
            </p>
          )}
        </Tabs.Content>
        <Tabs.Content value="file">
          <RecoveryFileBackup publicKey={key.publicKey} label={key.label} />
        </Tabs.Content>
      </Tabs.Root>
      <p>
        <Link to={`/domains/${key.publicKey}`}>
          {key.backup ? 'Go to the domain' : 'Later: go to the domain'}
        </Link>
      </p>
    </section>
  );
}
