// Issue 19, acceptance 7: the journey's main path with the keyboard alone — create a key, back it
// up with the phrase check, add a record, publish — reaching every control with Tab and using it
// with Enter, Space or typing, never the mouse.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { appProfile, type AppProfile } from '../support/app-profile';
import { FaultRelay } from '../support/fault-relay';
import { serveRenderer, type ServedRenderer } from '../support/renderer-bridge';
import { ShellPage } from './pages/shell-page';

let renderer: ServedRenderer;
let relay: FaultRelay;
let app: AppProfile;

test.beforeAll(async () => {
  renderer = await serveRenderer();
  relay = await FaultRelay.start('ok');
  app = await appProfile({ relays: [relay.url] });
});
test.afterAll(async () => {
  await app?.close();
  await Promise.all([relay?.close(), renderer?.close()]);
});

/** Presses Tab until `target` has the focus (a control the keyboard cannot reach fails). */
async function tabTo(page: Page, target: Locator): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if (await target.evaluate((el) => el === el.ownerDocument.activeElement).catch(() => false))
      return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`the keyboard never reached ${target.toString()}`);
}

test('create, back up, add a record and publish with the keyboard alone', async ({ context }) => {
  const page = await app.open(context, renderer.url);
  const shell = new ShellPage(page);
  await expect(shell.heading).toHaveText('Welcome');

  await tabTo(page, page.getByLabel('Name'));
  await page.keyboard.type('Keyboard family');
  await page.keyboard.press('Enter');
  await expect(shell.heading).toHaveText('Back up Keyboard family');

  await tabTo(page, page.getByRole('button', { name: 'Reveal the phrase' }));
  await page.keyboard.press('Enter');
  const phrase = page.getByRole('list', { name: 'Recovery phrase' }).getByRole('listitem');
  await expect(phrase).toHaveCount(12);
  const words = await phrase.allTextContents();
  await tabTo(page, page.getByRole('button', { name: 'I have written it down' }));
  await page.keyboard.press('Enter');
  const inputs = page.getByLabel(/^Word \d+$/);
  await expect(inputs).toHaveCount(3);
  for (let i = 0; i < 3; i++) {
    const input = inputs.nth(i);
    await tabTo(page, input);
    const position = Number((await input.getAttribute('id'))!.replace('word-', ''));
    await page.keyboard.type(words[position - 1]!);
  }
  await page.keyboard.press('Enter');
  await expect(page.getByText(/✓ Backed up with the recovery phrase/)).toBeVisible();

  await tabTo(page, page.getByRole('link', { name: 'Go to the domain' }));
  await page.keyboard.press('Enter');
  await tabTo(page, page.getByRole('button', { name: 'Add record' }));
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  // The dialog takes the focus; its fields follow in order.
  await tabTo(page, dialog.getByLabel('Value'));
  await page.keyboard.type('203.0.113.9');
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('table', { name: 'Records of this domain' })).toContainText(
    '203.0.113.9',
  );

  await tabTo(page, page.getByRole('button', { name: /^Publish/ }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Overall' })).toContainText('Published');
  // Tabs switch with the arrow keys, as Radix Tabs implement them.
  await tabTo(page, page.getByRole('tab', { name: 'Publishing' }));
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Network', selected: true })).toBeVisible();
});
