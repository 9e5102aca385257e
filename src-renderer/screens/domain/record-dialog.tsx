// Add or edit one record: name, type, value, TTL, checked as typed by the rules main applies,
// with each message at its field; a record that would push the packet past 1000 bytes is
// refused here, naming the size.
import * as Dialog from '@radix-ui/react-dialog';
import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import {
  measureRecords,
  parsePublicKey,
  RECORD_TYPES,
  recordFormSchema,
  recordValueText,
  type DnsRecord,
  type RecordFormValues,
} from '../../../src-shared/pkarr';
import { messageOf } from '../../ipc/client';
import { TextField } from '../../ui/field';

const HINTS: Record<DnsRecord['type'], string> = {
  A: 'An IPv4 address, e.g. 203.0.113.7',
  AAAA: 'An IPv6 address, e.g. 2001:db8::7',
  CNAME: 'Another name, e.g. example.org',
  NS: 'A name server, e.g. ns1.example.org',
  TXT: 'Any text; long text is split for you',
  MX: 'Preference and mail host, e.g. 10 mail.example.org',
  HTTPS: 'Priority, target and parameters, e.g. 1 . alpn=h2,h3 (0 and a key for _pubky)',
  SVCB: 'Priority, target and parameters, e.g. 1 svc.example.org port=8443',
};

export function RecordDialog({
  domain,
  drafts,
  editing,
  open,
  onOpenChange,
  onSave,
}: {
  domain: string;
  drafts: readonly DnsRecord[];
  /** The index of the draft being edited, or undefined to add one. */
  editing: number | undefined;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onSave: (records: DnsRecord[]) => Promise<unknown>;
}) {
  const current = editing === undefined ? undefined : drafts[editing];
  const form = useForm<RecordFormValues, unknown, DnsRecord>({
    resolver: zodResolver(recordFormSchema(domain)),
    values: current
      ? {
          name: current.name,
          type: current.type,
          value: recordValueText(current),
          ttl: current.ttl,
        }
      : { name: '@', type: 'A', value: '', ttl: 300 },
  });
  const type = form.watch('type');
  const errors = form.formState.errors;

  const onSubmit = form.handleSubmit(async (record) => {
    const next = [...drafts];
    if (editing === undefined) next.push(record);
    else next[editing] = record;
    const size = measureRecords(next, parsePublicKey(domain));
    if (!size.fits) {
      form.setError('value', {
        message: `With this record the packet takes ${size.bytes} of ${size.limit} bytes. Shorten it, or remove another record first.`,
      });
      return;
    }
    try {
      await onSave(next);
      onOpenChange(false);
    } catch (error) {
      form.setError('root', { message: messageOf(error) });
    }
  });

  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog">
          <Dialog.Title>{current ? 'Edit record' : 'Add a record'}</Dialog.Title>
          <Dialog.Description>
            Saved on this computer at once; published when you choose.
          </Dialog.Description>
          <form className="record-form" onSubmit={onSubmit} noValidate>
            <TextField
              id="record-name"
              label="Name"
              error={errors.name?.message}
              input={{ autoComplete: 'off', spellCheck: false, ...form.register('name') }}
            />
            <div className="field">
              <label htmlFor="record-type">Type</label>
              <select id="record-type" {...form.register('type')}>
                {RECORD_TYPES.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            </div>
            <TextField
              id="record-value"
              label="Value"
              className="field field--wide"
              hint={HINTS[type]}
              error={errors.value?.message}
              input={{ autoComplete: 'off', spellCheck: false, ...form.register('value') }}
            />
            <TextField
              id="record-ttl"
              label="TTL (seconds)"
              error={errors.ttl?.message}
              input={{ inputMode: 'numeric', ...form.register('ttl') }}
            />
            <p className="field-error" role="alert">
              {errors.root?.message}
            </p>
            <div className="row row--end">
              <Dialog.Close asChild>
                <button type="button">Cancel</button>
              </Dialog.Close>
              <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
                {current ? 'Save record' : 'Add record'}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
