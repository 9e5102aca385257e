// The app's screens by address (a hash router: the app is a file:// page in Electron).
import type { RouteObject } from 'react-router';
import { Shell } from './screens/shell';
import { HomeScreen } from './screens/home/home-screen';
import { WelcomeScreen } from './screens/welcome/welcome-screen';
import { ImportScreen } from './screens/welcome/import-screen';
import { BackupScreen } from './screens/backup/backup-screen';
import { DomainScreen } from './screens/domain/domain-screen';
import { NotFound } from './screens/not-found';
import { ScreenError } from './screens/screen-error';
import { SettingsScreen } from './screens/settings/settings-screen';
import { ExploreScreen } from './screens/explore/explore-screen';
import { FamilyScreen } from './screens/family/family-screen';
import { FamilyDetail } from './screens/family/family-detail';
import { ScoreScreen } from './screens/family/score-screen';

export const routes: RouteObject[] = [
  {
    element: <Shell />,
    errorElement: <ScreenError />,
    children: [
      { index: true, element: <HomeScreen /> },
      { path: 'welcome', element: <WelcomeScreen /> },
      { path: 'import', element: <ImportScreen /> },
      { path: 'keys/:publicKey/backup', element: <BackupScreen /> },
      { path: 'domains/:publicKey/:tab?', element: <DomainScreen /> },
      { path: 'family', element: <FamilyScreen /> },
      { path: 'family/:familyId', element: <FamilyDetail /> },
      { path: 'family/:familyId/domains/:domainId', element: <ScoreScreen /> },
      { path: 'explore', element: <ExploreScreen /> },
      { path: 'settings', element: <SettingsScreen /> },
      { path: '*', element: <NotFound /> },
    ],
  },
];
