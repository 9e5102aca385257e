// Async state over the IPC contract (TanStack Query): one query key per thing main knows, and
// mutations that invalidate what they change. Main's events keep the cache current
// (use-main-events.ts), so no screen polls.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { IpcRequest } from '../../src-shared/ipc';
import type { DnsRecord } from '../../src-shared/pkarr';
import { call } from './client';

export const queryKeys = {
  keys: ['keys'] as const,
  domains: ['domains'] as const,
  records: (domain: string) => ['records', domain] as const,
  publishStatus: (domain: string) => ['publish-status', domain] as const,
  server: ['server-status'] as const,
  info: ['app-info'] as const,
};

export const useAppInfo = () =>
  useQuery({ queryKey: queryKeys.info, queryFn: () => call('app:info', undefined) });
export const useKeys = () =>
  useQuery({ queryKey: queryKeys.keys, queryFn: () => call('keys:list', undefined) });
export const useDomains = () =>
  useQuery({ queryKey: queryKeys.domains, queryFn: () => call('domains:list', undefined) });
export const useRecords = (domain: string) =>
  useQuery({ queryKey: queryKeys.records(domain), queryFn: () => call('records:get', { domain }) });
export const usePublishStatus = (domain: string) =>
  useQuery({
    queryKey: queryKeys.publishStatus(domain),
    queryFn: () => call('publish:status', { domain }),
  });
export const useServerStatus = () =>
  useQuery({
    queryKey: queryKeys.server,
    queryFn: () => call('server:status', undefined),
    staleTime: 30_000,
  });

/** After anything that adds, removes or backs up a key. */
function useKeysChanged() {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: queryKeys.keys }),
      client.invalidateQueries({ queryKey: queryKeys.domains }),
    ]);
}

export function useCreateKey() {
  const changed = useKeysChanged();
  return useMutation({
    mutationFn: (label: string) => call('keys:create', { label }),
    onSuccess: changed,
  });
}
export function useImportPhrase() {
  const changed = useKeysChanged();
  return useMutation({
    mutationFn: (request: IpcRequest<'keys:import-phrase'>) => call('keys:import-phrase', request),
    onSuccess: changed,
  });
}
export function useImportRecoveryFile() {
  const changed = useKeysChanged();
  return useMutation({
    mutationFn: (request: IpcRequest<'keys:import-recovery'>) =>
      call('keys:import-recovery', request),
    onSuccess: changed,
  });
}
export const useRevealPhrase = () =>
  useMutation({ mutationFn: (publicKey: string) => call('keys:reveal-phrase', { publicKey }) });
export function useConfirmPhrase() {
  const changed = useKeysChanged();
  return useMutation({
    mutationFn: (request: IpcRequest<'keys:confirm-phrase'>) =>
      call('keys:confirm-phrase', request),
    onSuccess: changed,
  });
}
export function useExportRecoveryFile() {
  const changed = useKeysChanged();
  return useMutation({
    mutationFn: (request: IpcRequest<'keys:export-recovery'>) =>
      call('keys:export-recovery', request),
    onSuccess: changed,
  });
}
export function useDeleteKey() {
  const changed = useKeysChanged();
  return useMutation({
    mutationFn: (publicKey: string) => call('keys:delete', { publicKey }),
    onSuccess: changed,
  });
}
export function useSaveRecords(domain: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (records: readonly DnsRecord[]) =>
      call('records:save', { domain, records: [...records] }),
    onSuccess: (saved) => {
      client.setQueryData(queryKeys.records(domain), saved);
      return client.invalidateQueries({ queryKey: queryKeys.domains });
    },
  });
}
export function usePublish(domain: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (options: { onTop?: boolean } = {}) =>
      call('records:publish', { domain, onTop: options.onTop ?? false }),
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.records(domain) }),
        client.invalidateQueries({ queryKey: queryKeys.publishStatus(domain) }),
        client.invalidateQueries({ queryKey: queryKeys.domains }),
      ]),
  });
}
