// Importing a key the family already holds: a recovery phrase or a recovery file.
import type { Page } from '@playwright/test';

export class ImportPage {
  constructor(readonly page: Page) {}

  async fromPhrase(phrase: string, label = ''): Promise<void> {
    await this.page.getByRole('tab', { name: 'Recovery phrase' }).click();
    await this.page.getByRole('textbox', { name: 'Recovery phrase' }).fill(phrase);
    if (label) await this.page.getByLabel('Name (optional)').first().fill(label);
    await this.page.getByRole('button', { name: 'Import from phrase' }).click();
  }

  async fromFile(file: { name: string; buffer: Buffer }, passphrase: string): Promise<void> {
    await this.page.getByRole('tab', { name: 'Recovery file' }).click();
    await this.page
      .getByRole('tabpanel', { name: 'Recovery file' })
      .locator('input[type=file]')
      .setInputFiles({ ...file, mimeType: 'application/octet-stream' });
    await this.page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await this.page.getByRole('button', { name: 'Import from file' }).click();
  }
}
