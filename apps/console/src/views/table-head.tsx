/** The header row every table of the console has. */
export const TableHead = ({ columns }: { columns: readonly (string | false)[] }) => (
  <thead>
    <tr>
      {columns.filter((column): column is string => column !== false).map((column) => (
        <th key={column}>{column}</th>
      ))}
    </tr>
  </thead>
);
