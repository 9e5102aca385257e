// One labelled input with its hint and its error, wired for assistive technology: the label
// names the input, the hint and the error describe it, and the error is announced when it comes.
import type { InputHTMLAttributes, ReactNode, TextareaHTMLAttributes } from 'react';

interface FieldProps {
  readonly id: string;
  readonly label: ReactNode;
  readonly error?: string | undefined;
  readonly hint?: ReactNode;
  /** Ids of more elements that describe the input (a strength meter, say). */
  readonly describedBy?: string;
  readonly hideLabel?: boolean;
  readonly className?: string;
}

function parts({ id, error, hint, describedBy }: FieldProps) {
  return {
    'aria-invalid': !!error,
    'aria-describedby': [describedBy, hint ? `${id}-hint` : undefined, `${id}-error`]
      .filter(Boolean)
      .join(' '),
  };
}

function Frame({ props, children }: { props: FieldProps; children: ReactNode }) {
  return (
    <div className={props.className ?? 'field'}>
      <label htmlFor={props.id} className={props.hideLabel ? 'visually-hidden' : undefined}>
        {props.label}
      </label>
      {children}
      {props.hint && (
        <p id={`${props.id}-hint`} className="hint">
          {props.hint}
        </p>
      )}
      <p id={`${props.id}-error`} className="field-error" role="alert">
        {props.error}
      </p>
    </div>
  );
}

export function TextField(
  props: FieldProps & { readonly input: InputHTMLAttributes<HTMLInputElement> },
) {
  return (
    <Frame props={props}>
      <input id={props.id} {...parts(props)} {...props.input} />
    </Frame>
  );
}

export function TextAreaField(
  props: FieldProps & { readonly input: TextareaHTMLAttributes<HTMLTextAreaElement> },
) {
  return (
    <Frame props={props}>
      <textarea id={props.id} {...parts(props)} {...props.input} />
    </Frame>
  );
}
