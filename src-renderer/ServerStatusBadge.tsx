// Shows whether the family's companion server answers, and re-checks on demand.
import { useCallback, useEffect, useState } from 'react';
import type { ServerStatus } from '../src-shared/ipc';
import { invoke } from './api';

type View =
  | { state: 'checking' }
  | { state: 'known'; status: ServerStatus }
  | { state: 'error'; message: string };

export function ServerStatusBadge() {
  const [view, setView] = useState<View>({ state: 'checking' });

  const check = useCallback(async () => {
    setView({ state: 'checking' });
    const result = await invoke('server:status', undefined);
    setView(
      result.ok
        ? { state: 'known', status: result.value }
        : { state: 'error', message: result.error.message },
    );
  }, []);

  useEffect(() => {
    void check();
  }, [check]);

  let text: string;
  let tone: 'ok' | 'bad' | 'wait';
  if (view.state === 'checking') {
    text = 'Checking companion server…';
    tone = 'wait';
  } else if (view.state === 'error') {
    text = `Companion server: ${view.message}`;
    tone = 'bad';
  } else if (view.status.reachable) {
    text = `Companion server reachable (${view.status.url}, schema v${view.status.schemaVersion})`;
    tone = 'ok';
  } else {
    text = `Companion server unreachable (${view.status.url}: ${view.status.reason})`;
    tone = 'bad';
  }

  return (
    <div
      className={`server-status server-status--${tone}`}
      data-testid="server-status"
      role="status"
    >
      <span>{text}</span>
      <button type="button" onClick={() => void check()} disabled={view.state === 'checking'}>
        Check again
      </button>
    </div>
  );
}
