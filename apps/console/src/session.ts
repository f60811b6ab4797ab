/**
 * The token, kept for this tab only (sessionStorage: gone when the tab closes, never shared with
 * other tabs), and what its scopes allow, read as the registry's scopes read.
 */
const TOKEN_KEY = 'endpointslice-registry.token';

export const storedToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const storeToken = (token: string): void => sessionStorage.setItem(TOKEN_KEY, token);
export const forgetToken = (): void => sessionStorage.removeItem(TOKEN_KEY);

export interface Viewer {
  readonly name: string;
  readonly scopes: readonly string[];
}

/** "admin", "write:<ns>" or "write:*" (PRODUCT.md, Access). */
export const canWrite = (viewer: Viewer | undefined, namespace: string): boolean =>
  !!viewer && viewer.scopes.some((scope) => scope === 'admin' || scope === 'write:*' || scope === `write:${namespace}`);
