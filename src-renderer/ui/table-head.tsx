// A data table's caption (for screen readers) and column headers; a `{ hidden }` column (a
// change marker, the actions) is named for assistive technology only.
type Column = string | { readonly hidden: string };

export function TableHead({ caption, columns }: { caption: string; columns: readonly Column[] }) {
  return (
    <>
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column, i) => (
            <th key={i} scope="col">
              {typeof column === 'string' ? (
                column
              ) : (
                <span className="visually-hidden">{column.hidden}</span>
              )}
            </th>
          ))}
        </tr>
      </thead>
    </>
  );
}
