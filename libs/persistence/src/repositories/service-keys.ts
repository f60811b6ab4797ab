/** A `namespace/name` key's parts; namespaces are DNS labels, so the first '/' separates them. */
export const splitServiceKey = (key: string): { namespace: string; name: string } => {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
};

/**
 * `namespace/name` keys as two parallel arrays, for `unnest($1::text[], $2::text[])` joins that use
 * the (namespace, name) indexes; a join on the concatenated key would scan the whole table.
 */
export const splitServiceKeys = (keys: readonly string[]): [namespaces: string[], names: string[]] => {
  const parts = keys.map(splitServiceKey);
  return [parts.map((p) => p.namespace), parts.map((p) => p.name)];
};
