// The Dialogs main asks through, as Electron's native dialogs: modal to the app's window,
// Cancel the default and the Escape answer.
import { BrowserWindow, dialog } from 'electron';
import type { Dialogs } from './dialogs';

const parent = () => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];

export const electronDialogs: Dialogs = {
  async confirm(request) {
    const options = {
      type: 'warning' as const,
      title: request.title,
      message: request.message,
      detail: request.detail,
      buttons: ['Cancel', request.confirmLabel],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    };
    const window = parent();
    const { response } = window
      ? await dialog.showMessageBox(window, options)
      : await dialog.showMessageBox(options);
    return response === 1;
  },
  async chooseSavePath(request) {
    const options = {
      title: request.title,
      defaultPath: request.defaultName,
      filters: [{ name: request.filterName, extensions: [...request.extensions] }],
    };
    const window = parent();
    const { canceled, filePath } = window
      ? await dialog.showSaveDialog(window, options)
      : await dialog.showSaveDialog(options);
    return canceled || !filePath ? undefined : filePath;
  },
  async chooseOpenPath(request) {
    const options = {
      title: request.title,
      properties: ['openFile' as const],
      filters: [
        { name: request.filterName, extensions: [...request.extensions] },
        { name: 'All files', extensions: ['*'] },
      ],
    };
    const window = parent();
    const { canceled, filePaths } = window
      ? await dialog.showOpenDialog(window, options)
      : await dialog.showOpenDialog(options);
    return canceled ? undefined : filePaths[0];
  },
};
