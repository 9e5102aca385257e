// What only the person at the keyboard may decide, asked by main, never by the renderer: a
// compromised renderer can request a key's deletion or a recovery file's export, but the answer
// comes from a native dialog it cannot draw or click. Electron's dialogs implement this in the
// shell (electron-dialogs.ts); tests drive it as the person would.
export interface ConfirmRequest {
  readonly title: string;
  readonly message: string;
  /** What is destroyed and what cannot be undone. */
  readonly detail: string;
  readonly confirmLabel: string;
}

export interface SaveRequest {
  readonly title: string;
  readonly defaultName: string;
  readonly filterName: string;
  readonly extensions: readonly string[];
}

export interface OpenRequest {
  readonly title: string;
  readonly filterName: string;
  readonly extensions: readonly string[];
}

export interface Dialogs {
  /** True only when the person chose the confirming button. */
  confirm(request: ConfirmRequest): Promise<boolean>;
  /** The path the person chose, or undefined when they cancelled. */
  chooseSavePath(request: SaveRequest): Promise<string | undefined>;
  /** The file the person chose to open, or undefined when they cancelled. */
  chooseOpenPath(request: OpenRequest): Promise<string | undefined>;
}
