// First run: create a family key, or go to import one.
import type { Locator, Page } from '@playwright/test';

export class WelcomePage {
  readonly name: Locator;

  constructor(readonly page: Page) {
    this.name = page.getByLabel('Name');
  }

  async createKey(label: string): Promise<void> {
    await this.name.fill(label);
    await this.page.getByRole('button', { name: 'Create key' }).click();
  }
}
