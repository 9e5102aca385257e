// A public key as people see it: short (8pin…5ewo), the whole key on hover, and a copy button.
import { useState } from 'react';

export const shortKey = (key: string) => `${key.slice(0, 4)}…${key.slice(-4)}`;

export function ShortKey({
  publicKey,
  prefix = 'pubky://',
}: {
  publicKey: string;
  prefix?: string;
}) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(`${prefix}${publicKey}`).then(
      () => {
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      },
      () => setCopied(false),
    );
  };
  return (
    <span className="short-key">
      <code title={`${prefix}${publicKey}`}>
        {prefix}
        {shortKey(publicKey)}
      </code>
      <button
        type="button"
        className="icon-button"
        onClick={copy}
        aria-label={`Copy ${prefix}${shortKey(publicKey)}`}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}
