// Exposes the typed IPC contract as window.api and nothing else: no ipcRenderer, no Node.
import { contextBridge, ipcRenderer } from 'electron';
import { isIpcChannel, type PubkyApi } from '../src-shared/ipc';

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
} satisfies PubkyApi;

contextBridge.exposeInMainWorld('api', api);
