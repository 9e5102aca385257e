// Backing a key up: reveal the phrase, write it down, type three words back; or save a file.
import { expect, type Locator, type Page } from '@playwright/test';

export class BackupPage {
  readonly status: Locator;

  constructor(readonly page: Page) {
    this.status = page
      .getByRole('status')
      .filter({ hasText: /backed up/i })
      .first();
  }

  /** Reveals the phrase and returns its words, as the person would copy them onto paper. */
  async revealPhrase(): Promise<string[]> {
    await this.page.getByRole('button', { name: 'Reveal the phrase' }).click();
    const list = this.page.getByRole('list', { name: 'Recovery phrase' });
    await expect(list.getByRole('listitem')).toHaveCount(12);
    return list.getByRole('listitem').allTextContents();
  }

  /** Types back the words asked for, from the written-down phrase. */
  async checkPhrase(words: readonly string[], wrongAt?: number): Promise<void> {
    await this.page.getByRole('button', { name: 'I have written it down' }).click();
    const inputs = this.page.getByLabel(/^Word \d+$/);
    await expect(inputs).toHaveCount(3);
    for (let i = 0; i < 3; i++) {
      const input = inputs.nth(i);
      const position = Number((await input.getAttribute('id'))!.replace('word-', ''));
      await input.fill(wrongAt === i ? 'zoo' : words[position - 1]!);
    }
    await this.page.getByRole('button', { name: 'Check' }).click();
  }

  async saveRecoveryFile(passphrase: string): Promise<void> {
    await this.page.getByRole('tab', { name: 'Recovery file' }).click();
    await this.page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await this.page.getByLabel('Passphrase again').fill(passphrase);
    await expect(this.page.getByText(/^(Strong|Very strong)/)).toBeVisible();
    await this.page.getByRole('button', { name: 'Save the recovery file…' }).click();
  }
}
