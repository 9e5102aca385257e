import { Link } from 'react-router';
import { EmptyState } from '../ui/states';

export function NotFound() {
  return (
    <EmptyState title="Nothing here">
      <p>This screen does not exist.</p>
      <Link to="/">Go to Home</Link>
    </EmptyState>
  );
}
