// When a screen fails to draw: a sentence and a way on, never a stack trace (the log has it).
import { Link, useRouteError } from 'react-router';

export function ScreenError() {
  const error = useRouteError();
  // The developer console keeps the detail; the person gets what to do.
  console.error(error);
  return (
    <section className="error-message" role="alert">
      <h1>This screen could not be shown</h1>
      <p>
        Something in the app went wrong. Go back to Home and try again; if it happens again, export
        diagnostics from Settings.
      </p>
      <Link to="/">Go to Home</Link>
    </section>
  );
}
