// Page object for the app shell.
import type { Locator, Page } from '@playwright/test';

export class AppPage {
  readonly title: Locator;
  readonly serverStatus: Locator;

  constructor(readonly page: Page) {
    this.title = page.getByRole('heading', { level: 1 });
    this.serverStatus = page.getByTestId('server-status');
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
  }

  async recheckServer(): Promise<void> {
    await this.serverStatus.getByRole('button', { name: 'Check again' }).click();
  }
}
