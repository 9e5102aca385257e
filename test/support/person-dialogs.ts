// The person at the keyboard, answering main's native dialogs as a test scripts them: what they
// were asked is kept, and each question takes the next scripted answer (none left: Cancel).
import type { ConfirmRequest, Dialogs, OpenRequest, SaveRequest } from '../../src-main/dialogs';

export class PersonDialogs implements Dialogs {
  readonly asked: (ConfirmRequest | SaveRequest | OpenRequest)[] = [];
  private readonly opens: (string | undefined)[] = [];
  private readonly confirms: boolean[] = [];
  private readonly saves: (string | undefined)[] = [];

  /** The next confirmation is answered with `answer` (true: the confirming button). */
  willConfirm(answer: boolean): this {
    this.confirms.push(answer);
    return this;
  }

  /** The next save dialog picks `path` (undefined: Cancel). */
  willSaveTo(path: string | undefined): this {
    this.saves.push(path);
    return this;
  }

  /** The next open dialog picks `path` (undefined: Cancel). */
  willOpen(path: string | undefined): this {
    this.opens.push(path);
    return this;
  }

  async chooseOpenPath(request: OpenRequest): Promise<string | undefined> {
    this.asked.push(request);
    return this.opens.shift();
  }

  async confirm(request: ConfirmRequest): Promise<boolean> {
    this.asked.push(request);
    return this.confirms.shift() ?? false;
  }

  async chooseSavePath(request: SaveRequest): Promise<string | undefined> {
    this.asked.push(request);
    return this.saves.shift();
  }
}
