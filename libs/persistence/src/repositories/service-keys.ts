/**
 * `namespace/name` keys as two parallel arrays, for `unnest($1::text[], $2::text[])` joins that use
 * the (namespace, name) indexes; a join on the concatenated key would scan the whole table.
 * Namespaces are DNS labels, so the first '/' separates them.
 */
export const splitServiceKeys = (keys: readonly string[]): [namespaces: string[], names: string[]] => {
  const namespaces: string[] = [];
  const names: string[] = [];
  for (const key of keys) {
    const slash = key.indexOf('/');
    namespaces.push(key.slice(0, slash));
    names.push(key.slice(slash + 1));
  }
  return [namespaces, names];
};
