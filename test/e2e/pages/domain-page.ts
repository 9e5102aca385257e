// A domain: its records (staged edits, the size meter, Publish) and its publishing per target.
import { expect, type Locator, type Page } from '@playwright/test';

export class DomainPage {
  readonly records: Locator;
  readonly targets: Locator;
  readonly overall: Locator;
  readonly dialog: Locator;

  constructor(readonly page: Page) {
    this.records = page.getByRole('table', { name: 'Records of this domain' });
    this.targets = page.getByRole('table', { name: /newest packet/ });
    this.overall = page.getByRole('status').filter({ hasText: 'Overall' });
    this.dialog = page.getByRole('dialog');
  }

  async openRecordForm(): Promise<void> {
    await this.page.getByRole('button', { name: 'Add record' }).click();
    await expect(this.dialog).toBeVisible();
  }

  /** Fills the record form and submits it; the dialog stays open when the record is refused. */
  async submitRecord(name: string, type: string, value: string, ttl = '300'): Promise<void> {
    await this.dialog.getByLabel('Name').fill(name);
    await this.dialog.getByLabel('Type').selectOption(type);
    await this.dialog.getByLabel('Value').fill(value);
    await this.dialog.getByLabel('TTL (seconds)').fill(ttl);
    await this.dialog.getByRole('button', { name: /Add record|Save record/ }).click();
  }

  async addRecord(name: string, type: string, value: string, ttl = '300'): Promise<void> {
    await this.openRecordForm();
    await this.submitRecord(name, type, value, ttl);
    await expect(this.dialog).toBeHidden();
  }

  fieldError(field: 'Name' | 'Value' | 'TTL (seconds)'): Locator {
    return this.dialog.locator(`#${this.fieldId(field)}-error`);
  }

  private fieldId(field: string): string {
    return field === 'Name' ? 'record-name' : field === 'Value' ? 'record-value' : 'record-ttl';
  }

  async publish(): Promise<void> {
    await this.page.getByRole('button', { name: /^Publish/ }).click();
    await expect(this.page.getByRole('tab', { name: 'Publishing', selected: true })).toBeVisible();
  }

  target(url: string): Locator {
    return this.targets.locator(`tr[data-target="${url}"]`);
  }

  async retryNow(url: string): Promise<void> {
    await this.target(url)
      .getByRole('button', { name: /^Retry/ })
      .click();
  }
}
