// The app's screens by address (a hash router: the app is a file:// page in Electron). The first
// screens (Home, Welcome) load with the app; the others load when first opened, so the first
// screen does not wait for code it does not show (docs/performance.md).
import type { RouteObject } from 'react-router';
import { Shell } from './screens/shell';
import { HomeScreen } from './screens/home/home-screen';
import { WelcomeScreen } from './screens/welcome/welcome-screen';
import { NotFound } from './screens/not-found';
import { ScreenError } from './screens/screen-error';

export const routes: RouteObject[] = [
  {
    element: <Shell />,
    errorElement: <ScreenError />,
    children: [
      { index: true, element: <HomeScreen /> },
      { path: 'welcome', element: <WelcomeScreen /> },
      {
        path: 'import',
        lazy: async () => ({
          Component: (await import('./screens/welcome/import-screen')).ImportScreen,
        }),
      },
      {
        path: 'keys/:publicKey/backup',
        lazy: async () => ({
          Component: (await import('./screens/backup/backup-screen')).BackupScreen,
        }),
      },
      {
        path: 'domains/:publicKey/:tab?',
        lazy: async () => ({
          Component: (await import('./screens/domain/domain-screen')).DomainScreen,
        }),
      },
      {
        path: 'family',
        lazy: async () => ({
          Component: (await import('./screens/family/family-screen')).FamilyScreen,
        }),
      },
      {
        path: 'family/:familyId',
        lazy: async () => ({
          Component: (await import('./screens/family/family-detail')).FamilyDetail,
        }),
      },
      {
        path: 'family/:familyId/domains/:domainId',
        lazy: async () => ({
          Component: (await import('./screens/family/score-screen')).ScoreScreen,
        }),
      },
      {
        path: 'guardians',
        lazy: async () => ({
          Component: (await import('./screens/guardians/guardians-screen')).GuardiansScreen,
        }),
      },
      {
        path: 'recover',
        lazy: async () => ({
          Component: (await import('./screens/guardians/recover-screen')).RecoverScreen,
        }),
      },
      {
        path: 'explore',
        lazy: async () => ({
          Component: (await import('./screens/explore/explore-screen')).ExploreScreen,
        }),
      },
      {
        path: 'settings',
        lazy: async () => ({
          Component: (await import('./screens/settings/settings-screen')).SettingsScreen,
        }),
      },
      { path: '*', element: <NotFound /> },
    ],
  },
];
