// The app's settings, kept in the local store: which relays to publish to, whether to use the
// DHT, how often to republish. Read on every use, so a change applies to the next publish.
import { appSettingsSchema, type AppSettings } from '../src-shared/settings';
import type { LocalStore } from './store/local-store';

const NAME = 'app';

export class Settings {
  constructor(
    private readonly store: LocalStore,
    readonly defaults: AppSettings,
  ) {}

  get(): AppSettings {
    const stored = appSettingsSchema.safeParse(this.store.getSetting(NAME));
    return stored.success ? stored.data : this.defaults;
  }

  /** Checks and stores new settings (the IPC layer has parsed them already; files may not have). */
  save(next: AppSettings): AppSettings {
    const checked = appSettingsSchema.parse(next);
    this.store.setSetting(NAME, checked);
    return checked;
  }
}
