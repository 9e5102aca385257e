// Settings: the relays to publish to (added, removed, reset to the defaults; each URL checked as
// typed), the DHT, the republish interval, and a diagnostics report to send to whoever helps.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useFieldArray, useForm } from 'react-hook-form';
import type { SettingsView } from '../../../src-shared/ipc';
import { appSettingsSchema, MAX_RELAYS } from '../../../src-shared/settings';
import { z } from 'zod';
import { call, messageOf } from '../../ipc/client';
import { ErrorMessage, Skeleton } from '../../ui/states';
import { TextField } from '../../ui/field';
import { ServerSessionCard } from './server-session';

// The form keeps relays as objects (field arrays need them); the shared schema checks each URL.
const formSchema = appSettingsSchema.extend({
  relays: z
    .array(z.object({ url: appSettingsSchema.shape.relays.element }))
    .max(MAX_RELAYS, `At most ${MAX_RELAYS} relays`),
});
type FormInput = z.input<typeof formSchema>;
type FormOutput = z.output<typeof formSchema>;

const toForm = (view: SettingsView): FormInput => ({
  serverUrl: view.settings.serverUrl ?? view.defaults.serverUrl,
  relays: view.settings.relays.map((url) => ({ url })),
  dhtEnabled: view.settings.dhtEnabled,
  republishIntervalMinutes: view.settings.republishIntervalMinutes,
});

function SettingsForm({ view }: { view: SettingsView }) {
  const client = useQueryClient();
  const form = useForm<FormInput, unknown, FormOutput>({
    resolver: zodResolver(formSchema),
    values: toForm(view),
  });
  const relays = useFieldArray({ control: form.control, name: 'relays' });
  const save = useMutation({
    mutationFn: (values: FormOutput) =>
      call('settings:save', { ...values, relays: values.relays.map((r) => r.url) }),
    onSuccess: (saved) => {
      client.setQueryData(['settings'], saved);
      return client.invalidateQueries({ queryKey: ['domains'] });
    },
  });
  const diagnostics = useMutation({ mutationFn: () => call('diagnostics:export', undefined) });
  const errors = form.formState.errors;
  const onSubmit = form.handleSubmit((values) => save.mutateAsync(values).catch(() => undefined));

  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      <fieldset className="card">
        <legend>Server address</legend>
        <TextField
          id="server-url"
          label="Companion server URL"
          hint="The server your family's operator runs. Save, then sign in above."
          error={errors.serverUrl?.message}
          input={form.register('serverUrl')}
        />
      </fieldset>
      <fieldset className="card">
        <legend>Relays</legend>
        <p className="hint">
          Each signed packet goes to every relay here (and to the DHT when it is on).
        </p>
        {relays.fields.length === 0 && <p>No relays: packets go to the DHT only.</p>}
        {relays.fields.map((field, i) => (
          <div key={field.id} className="row relay-row">
            <TextField
              id={`relay-${i}`}
              label={`Relay ${i + 1}`}
              hideLabel
              error={errors.relays?.[i]?.url?.message}
              input={form.register(`relays.${i}.url`)}
            />
            <button
              type="button"
              onClick={() => relays.remove(i)}
              aria-label={`Remove relay ${i + 1}`}
            >
              Remove
            </button>
          </div>
        ))}
        <p className="field-error" role="alert">
          {errors.relays?.message ?? errors.relays?.root?.message}
        </p>
        <div className="row">
          <button
            type="button"
            onClick={() => relays.append({ url: 'https://' })}
            disabled={relays.fields.length >= MAX_RELAYS}
          >
            Add relay
          </button>
          <button
            type="button"
            onClick={() => relays.replace(view.defaults.relays.map((url) => ({ url })))}
          >
            Reset to defaults
          </button>
        </div>
      </fieldset>
      <fieldset className="card">
        <legend>Mainline DHT</legend>
        <label className="row">
          <input type="checkbox" {...form.register('dhtEnabled')} style={{ width: 'auto' }} />
          Publish to and read from the DHT
        </label>
        {!view.dhtAvailable && (
          <p className="hint">
            The DHT is not reachable in this session; packets wait for it in the outbox.
          </p>
        )}
      </fieldset>
      <fieldset className="card">
        <legend>Republishing</legend>
        <TextField
          id="republish"
          label="Republish every (minutes)"
          error={errors.republishIntervalMinutes?.message}
          input={{
            inputMode: 'numeric',
            style: { maxWidth: 120 },
            ...form.register('republishIntervalMinutes'),
          }}
        />
      </fieldset>
      <div className="row">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save settings'}
        </button>
        {save.isSuccess && !form.formState.isDirty && (
          <span className="state state--ok" role="status">
            ✓ Saved
          </span>
        )}
        {save.isError && (
          <span className="field-error" role="alert">
            {messageOf(save.error)}
          </span>
        )}
      </div>
      <fieldset className="card">
        <legend>Diagnostics</legend>
        <p className="hint">
          A report of recent log lines and the app’s state, without keys, phrases or records.
        </p>
        <button type="button" onClick={() => diagnostics.mutate()} disabled={diagnostics.isPending}>
          Export diagnostics…
        </button>
        {diagnostics.data?.saved && (
          <p className="state state--ok" role="status">
            ✓ Saved to {diagnostics.data.path}
          </p>
        )}
        {diagnostics.isError && (
          <p className="field-error" role="alert">
            {messageOf(diagnostics.error)}
          </p>
        )}
      </fieldset>
    </form>
  );
}

export function SettingsScreen() {
  const view = useQuery({ queryKey: ['settings'], queryFn: () => call('settings:get', undefined) });
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <div className="stack">
        <ServerSessionCard />
      </div>
      {view.isPending ? (
        <Skeleton label="Loading settings" />
      ) : view.isError ? (
        <ErrorMessage error={view.error} retry={() => void view.refetch()} />
      ) : (
        <SettingsForm view={view.data} />
      )}
    </section>
  );
}
