// The window's frame: the sidebar and who "you" are; and axe on whatever screen is showing.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';

export class ShellPage {
  readonly sidebar: Locator;
  readonly heading: Locator;

  constructor(readonly page: Page) {
    this.sidebar = page.getByRole('navigation', { name: 'Main' });
    this.heading = page.getByRole('heading', { level: 1 });
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
  }

  async goHome(): Promise<void> {
    await this.sidebar.getByRole('link', { name: 'Home' }).click();
  }

  /** No serious or critical accessibility violation on the screen as it is now. */
  async expectAccessible(screen: string): Promise<void> {
    const results = await new AxeBuilder({ page: this.page }).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(
      bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`),
      `axe on ${screen}`,
    ).toEqual([]);
  }

  /** Every run keeps its screens in test-results/; `UPDATE_SCREENSHOTS=1` refreshes the README's. */
  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
    if (process.env['UPDATE_SCREENSHOTS'])
      await this.page.screenshot({ path: `docs/screens/${name}.png`, fullPage: true });
  }
}
