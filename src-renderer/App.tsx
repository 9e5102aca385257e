import { APP_NAME } from '../src-shared/app-info';
import { ServerStatusBadge } from './ServerStatusBadge';

export function App() {
  return (
    <div className="app">
      <header className="app-header">
        <h1>{APP_NAME}</h1>
        <ServerStatusBadge />
      </header>
      <main className="app-main">
        <p>
          Your family&apos;s keys stay on this computer. Your domains resolve without a registrar.
        </p>
      </main>
    </div>
  );
}
