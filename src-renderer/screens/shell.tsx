// The window's frame: the sidebar (always there, few entries, who "you" are and the companion
// server's state at its foot) and the screen the address names. Main's events are listened to
// here, once, for every screen.
import { NavLink, Outlet } from 'react-router';
import { APP_NAME } from '../../src-shared/app-info';
import { useQuery } from '@tanstack/react-query';
import { call } from '../ipc/client';
import { useKeys, useServerStatus } from '../ipc/hooks';
import { useMainEvents } from '../ipc/use-main-events';
import { shortKey } from '../ui/short-key';

function ServerState() {
  const server = useServerStatus();
  if (server.isPending) return <span className="dot dot--wait">server: checking…</span>;
  if (server.isError || !server.data.reachable) {
    return (
      <span
        className="dot dot--away"
        title={server.data && !server.data.reachable ? server.data.reason : ''}
      >
        server: away
      </span>
    );
  }
  return (
    <span className="dot dot--ok" title={server.data.url}>
      server: ok
    </span>
  );
}

function SessionState() {
  const session = useQuery({
    queryKey: ['session'],
    queryFn: () => call('session:get', undefined),
  });
  if (session.data?.state !== 'signed-in')
    return <NavLink to="/settings">not signed in to a server</NavLink>;
  return <NavLink to="/settings">signed in as {shortKey(session.data.publicKey)}</NavLink>;
}

export function Shell() {
  useMainEvents();
  const keys = useKeys();
  const me = keys.data?.[0];
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <p className="brand">{APP_NAME}</p>
        <ul>
          <li>
            <NavLink to="/" end>
              Home
            </NavLink>
          </li>
          <li>
            <NavLink to="/welcome">New key</NavLink>
          </li>
          <li>
            <NavLink to="/import">Import a key</NavLink>
          </li>
          <li>
            <NavLink to="/family">Family</NavLink>
          </li>
          <li>
            <NavLink to="/guardians">Guardians</NavLink>
          </li>
          <li>
            <NavLink to="/explore">Explore</NavLink>
          </li>
          <li className="separated">
            <NavLink to="/settings">Settings</NavLink>
          </li>
        </ul>
        <footer className="sidebar-footer">
          <span>{me ? `you: ${shortKey(me.publicKey)}` : 'no key yet'}</span>
          <ServerState />
          <SessionState />
        </footer>
      </nav>
      <main className="screen">
        <Outlet />
      </main>
    </div>
  );
}
