import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './test/support/chromium';

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  workers: 2,
  reporter: process.env['CI'] ? 'list' : 'list',
  use: { launchOptions: chromiumLaunchOptions() },
});
