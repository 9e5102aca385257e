// Exposes the typed IPC contract as window.api and nothing else: no ipcRenderer, no Node.
import { contextBridge, ipcRenderer } from 'electron';
import { isIpcChannel, isIpcEventName, type PubkyApi } from '../src-shared/ipc';

/** Main's events arrive on one channel; the page's listeners are kept here, per event. */
const listeners = new Map<string, Set<(payload: never) => void>>();
ipcRenderer.on('pubky:event', (_event, name: unknown, payload: unknown) => {
  if (!isIpcEventName(name)) return;
  for (const listener of listeners.get(name) ?? []) listener(payload as never);
});

const api = {
  invoke: (channel, request) => {
    if (!isIpcChannel(channel)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'UNKNOWN_CHANNEL', message: 'No such IPC channel.' },
      });
    }
    return ipcRenderer.invoke(channel, request);
  },
  on: (event, listener) => {
    if (!isIpcEventName(event) || typeof listener !== 'function') return () => {};
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    const entry = listener as (payload: never) => void;
    set.add(entry);
    return () => void set.delete(entry);
  },
} satisfies PubkyApi;

contextBridge.exposeInMainWorld('api', api);
