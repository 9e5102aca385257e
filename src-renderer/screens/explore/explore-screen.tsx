// Explore: what the network serves for any key or pubky:// URL, read-only, with recent lookups.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { parsePublicKey, z32Encode } from '../../../src-shared/pkarr';
import { call } from '../../ipc/client';
import { NetworkAnswers } from '../../ui/network-answers';
import { shortKey } from '../../ui/short-key';

/** The key a typed key, `pk:` or `pubky://` address names (a path after the key is ignored). */
function keyOf(input: string): string | undefined {
  try {
    return z32Encode(parsePublicKey(input));
  } catch {
    return undefined;
  }
}

export function ExploreScreen() {
  const [looking, setLooking] = useState<string>();
  const recent = useQuery({
    queryKey: ['recent-lookups', looking],
    queryFn: () => call('network:recent', undefined),
  });
  const form = useForm({ defaultValues: { key: '' } });
  const onSubmit = form.handleSubmit(({ key }) => {
    const parsed = keyOf(key);
    if (!parsed) {
      form.setError('key', { message: 'Enter a Pubky key (52 characters) or a pubky:// address.' });
      return;
    }
    setLooking(parsed);
  });
  return (
    <section aria-labelledby="explore-title">
      <h1 id="explore-title">Explore</h1>
      <form className="row" onSubmit={onSubmit} noValidate>
        <label htmlFor="explore-key" className="visually-hidden">
          Key or pubky:// address
        </label>
        <input
          id="explore-key"
          placeholder="pubky://… or a 52-character key"
          aria-invalid={!!form.formState.errors.key}
          aria-describedby="explore-error"
          style={{ maxWidth: 520 }}
          {...form.register('key')}
        />
        <button type="submit" className="primary">
          Look up
        </button>
      </form>
      <p id="explore-error" className="field-error" role="alert">
        {form.formState.errors.key?.message}
      </p>
      {looking ? (
        <NetworkAnswers key={looking} publicKey={looking} published={null} />
      ) : (
        <div className="stack">
          <p>See what any Pubky domain publishes: each relay and the DHT, as they answer now.</p>
          {recent.data && recent.data.length > 0 && (
            <>
              <h2>Recent lookups</h2>
              <ul>
                {recent.data.map((key) => (
                  <li key={key}>
                    <button type="button" className="link" onClick={() => setLooking(key)}>
                      pubky://{shortKey(key)}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </section>
  );
}
