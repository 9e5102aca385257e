// Main's events for the renderer (src-shared/ipc.ts IpcEvents): emitted by the handlers and the
// publisher, forwarded by whatever carries them (Electron's webContents, or the test bridge).
// A listener that throws is logged and never stops the others.
import type { IpcEventName, IpcEvents } from '../src-shared/ipc';

export type EventListener = <E extends IpcEventName>(event: E, payload: IpcEvents[E]) => void;

export class MainEvents {
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly log: (line: string) => void = () => {}) {}

  emit<E extends IpcEventName>(event: E, payload: IpcEvents[E]): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch (error) {
        this.log(`event listener failed on ${event}: ${String(error)}`);
      }
    }
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
