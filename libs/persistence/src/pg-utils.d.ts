declare module 'pg/lib/utils' {
  /** A parameter as node-postgres sends it: text, bytes (bytea) or NULL. */
  export function prepareValue(value: unknown): string | Buffer | null;
}
