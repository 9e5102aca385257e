// Keeps the query cache current from main's events, and keeps each domain's live publish
// progress (per target, as it happens) for the Publishing view.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import type { IpcEvents } from '../../src-shared/ipc';
import { onMainEvent } from './client';
import { queryKeys } from './hooks';

export type TargetProgress = IpcEvents['publish:progress'];

/** Live progress per domain and target; each change makes a new map for React to see. */
class ProgressStore {
  private byDomain = new Map<string, ReadonlyMap<string, TargetProgress>>();
  private readonly listeners = new Set<() => void>();

  update(progress: TargetProgress): void {
    const targets = new Map(this.byDomain.get(progress.domain));
    const previous = targets.get(progress.target);
    // An older packet's news never hides the newest packet's.
    if (previous && previous.timestamp > progress.timestamp) return;
    targets.set(progress.target, progress);
    this.byDomain = new Map(this.byDomain).set(progress.domain, targets);
    for (const listener of this.listeners) listener();
  }
  of(domain: string): ReadonlyMap<string, TargetProgress> | undefined {
    return this.byDomain.get(domain);
  }
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

export const progressStore = new ProgressStore();

export function usePublishProgress(
  domain: string,
): ReadonlyMap<string, TargetProgress> | undefined {
  return useSyncExternalStore(progressStore.subscribe, () => progressStore.of(domain));
}

export function useMainEvents(): void {
  const client = useQueryClient();
  useEffect(() => {
    const refreshDomain = (domain: string) => {
      void client.invalidateQueries({ queryKey: queryKeys.domains });
      void client.invalidateQueries({ queryKey: queryKeys.records(domain) });
      void client.invalidateQueries({ queryKey: queryKeys.publishStatus(domain) });
    };
    const stops = [
      onMainEvent('keys:changed', () => {
        void client.invalidateQueries({ queryKey: queryKeys.keys });
        void client.invalidateQueries({ queryKey: queryKeys.domains });
      }),
      onMainEvent('domains:changed', ({ domains }) => domains.forEach(refreshDomain)),
      onMainEvent('session:changed', (view) => client.setQueryData(['session'], view)),
      onMainEvent('family:changed', ({ familyId, kind }) => {
        void client.invalidateQueries({ queryKey: ['families'] });
        void client.invalidateQueries({ queryKey: ['family', familyId] });
        void client.invalidateQueries({ queryKey: ['family-activity', familyId] });
        // A guardian's acknowledgement reaches the family as a score change: any event may
        // change what the guardians section shows.
        void client.invalidateQueries({ queryKey: ['guardians', familyId] });
        if (kind === 'family_event') void client.invalidateQueries({ queryKey: ['key-shares'] });
        if (kind === 'guardian_event' || kind === 'family_event')
          void client.invalidateQueries({ queryKey: ['guarding'] });
        if (kind === 'sovereignty_score_event' || kind === 'pkarr_record_event')
          void client.invalidateQueries({ queryKey: ['score'] });
      }),
      onMainEvent('migration:changed', (migration) => {
        void client.invalidateQueries({ queryKey: ['migrations', migration.domain] });
        refreshDomain(migration.domain);
      }),
      onMainEvent('publish:progress', (progress) => {
        progressStore.update(progress);
        if (progress.state !== 'sending') refreshDomain(progress.domain);
      }),
    ];
    return () => stops.forEach((stop) => stop());
  }, [client]);
}
