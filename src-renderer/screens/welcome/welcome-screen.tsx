// First run (and "New key"): what the app does in one sentence, then make a key or bring one.
// A new key goes straight to its backup.
import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { Link, useNavigate } from 'react-router';
import { z } from 'zod';
import { ipcRequestSchemas } from '../../../src-shared/ipc';
import { messageOf } from '../../ipc/client';
import { useCreateKey, useKeys } from '../../ipc/hooks';

const labelForm = ipcRequestSchemas['keys:create'].extend({
  label: z.string().trim().min(1, 'Give the key a name your family will recognise').max(100),
});

export function WelcomeScreen() {
  const keys = useKeys();
  const create = useCreateKey();
  const navigate = useNavigate();
  const form = useForm({ resolver: zodResolver(labelForm), defaultValues: { label: '' } });
  const firstRun = keys.data?.length === 0;

  const onSubmit = form.handleSubmit(async ({ label }) => {
    try {
      const key = await create.mutateAsync(label);
      void navigate(`/keys/${key.publicKey}/backup`);
    } catch (error) {
      form.setError('root', { message: messageOf(error) });
    }
  });

  return (
    <section className="welcome" aria-labelledby="welcome-title">
      <h1 id="welcome-title">{firstRun ? 'Welcome' : 'A new key'}</h1>
      <p className="lead">
        Your family’s keys stay on this computer, and every key is a domain that resolves without a
        registrar: you sign its records here and publish them to relays and the DHT.
      </p>
      <div className="choices">
        <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="create-title">
          <h2 id="create-title">Create a family key</h2>
          <label htmlFor="label">Name</label>
          <input
            id="label"
            autoFocus
            placeholder="e.g. Smith family"
            aria-invalid={!!form.formState.errors.label}
            aria-describedby="label-error"
            {...form.register('label')}
          />
          <p id="label-error" className="field-error" role="alert">
            {form.formState.errors.label?.message ?? form.formState.errors.root?.message}
          </p>
          <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
            {form.formState.isSubmitting ? 'Creating…' : 'Create key'}
          </button>
        </form>
        <div className="card">
          <h2>I already have a key</h2>
          <p>From a 12-word recovery phrase or a recovery file (Pubky Ring makes both).</p>
          <Link className="button" to="/import">
            Import a key
          </Link>
        </div>
      </div>
    </section>
  );
}
