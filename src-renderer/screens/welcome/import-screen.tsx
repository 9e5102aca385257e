// Bring a key the family already has: its 12-word recovery phrase, or a recovery file and its
// passphrase. A failure is shown at the field it is about, and nothing is written.
import * as Tabs from '@radix-ui/react-tabs';
import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { Link, useNavigate } from 'react-router';
import { z } from 'zod';
import { IpcFailure, messageOf } from '../../ipc/client';
import { useImportPhrase, useImportRecoveryFile } from '../../ipc/hooks';
import { TextAreaField, TextField } from '../../ui/field';

const phraseForm = z.object({
  phrase: z.string().trim().min(1, 'Type the 12 words of the recovery phrase').max(400),
  label: z.string().trim().max(100),
});
const fileForm = z.object({
  file: z
    .instanceof(FileList)
    .refine((files) => files.length === 1, 'Choose the recovery file')
    .refine(
      (files) => (files[0]?.size ?? 0) <= 4096,
      'This file is too large to be a recovery file',
    ),
  passphrase: z.string().min(1, 'Enter the passphrase the file was saved with').max(1024),
  label: z.string().trim().max(100),
});

function PhraseImport() {
  const importPhrase = useImportPhrase();
  const navigate = useNavigate();
  const form = useForm({
    resolver: zodResolver(phraseForm),
    defaultValues: { phrase: '', label: '' },
  });
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      const key = await importPhrase.mutateAsync(values);
      void navigate(`/domains/${key.publicKey}`);
    } catch (error) {
      const field =
        error instanceof IpcFailure && error.code === 'INVALID_PHRASE' ? 'phrase' : 'root';
      form.setError(field, { message: messageOf(error) });
    }
  });
  const errors = form.formState.errors;
  return (
    <form onSubmit={onSubmit} noValidate className="stack">
      <TextAreaField
        id="phrase"
        label="Recovery phrase"
        error={errors.phrase?.message}
        input={{ rows: 3, spellCheck: false, autoComplete: 'off', ...form.register('phrase') }}
      />
      <TextField id="phrase-label" label="Name (optional)" input={form.register('label')} />
      <p className="field-error" role="alert">
        {errors.root?.message}
      </p>
      <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
        {form.formState.isSubmitting ? 'Importing…' : 'Import from phrase'}
      </button>
    </form>
  );
}

function FileImport() {
  const importFile = useImportRecoveryFile();
  const navigate = useNavigate();
  const form = useForm({
    resolver: zodResolver(fileForm),
    defaultValues: { passphrase: '', label: '' },
  });
  const onSubmit = form.handleSubmit(async ({ file, passphrase, label }) => {
    try {
      const bytes = new Uint8Array(await file[0]!.arrayBuffer());
      const key = await importFile.mutateAsync({ file: bytes, passphrase, label });
      void navigate(`/domains/${key.publicKey}`);
    } catch (error) {
      const code = error instanceof IpcFailure ? error.code : 'INTERNAL';
      const field =
        code === 'WRONG_PASSPHRASE'
          ? 'passphrase'
          : code === 'INVALID_RECOVERY_FILE'
            ? 'file'
            : 'root';
      form.setError(field, { message: messageOf(error) });
    }
  });
  const errors = form.formState.errors;
  return (
    <form onSubmit={onSubmit} noValidate className="stack">
      <TextField
        id="recovery-file"
        label="Recovery file"
        error={errors.file?.message}
        input={{ type: 'file', accept: '.pkarr', ...form.register('file') }}
      />
      <TextField
        id="file-passphrase"
        label="Passphrase"
        error={errors.passphrase?.message}
        input={{ type: 'password', autoComplete: 'off', ...form.register('passphrase') }}
      />
      <TextField id="file-label" label="Name (optional)" input={form.register('label')} />
      <p className="field-error" role="alert">
        {errors.root?.message}
      </p>
      <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
        {form.formState.isSubmitting ? 'Opening the file…' : 'Import from file'}
      </button>
    </form>
  );
}

export function ImportScreen() {
  return (
    <section aria-labelledby="import-title">
      <h1 id="import-title">Import a key</h1>
      <Tabs.Root defaultValue="phrase" className="tabs">
        <Tabs.List aria-label="What you have">
          <Tabs.Trigger value="phrase">Recovery phrase</Tabs.Trigger>
          <Tabs.Trigger value="file">Recovery file</Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="phrase">
          <PhraseImport />
        </Tabs.Content>
        <Tabs.Content value="file">
          <FileImport />
        </Tabs.Content>
      </Tabs.Root>
      <p className="hint">
        Lost every copy? <Link to="/recover">Recover it with your guardians</Link>.
      </p>
    </section>
  );
}
