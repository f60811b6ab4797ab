/** The console's pages, addressed by the URL's fragment so that the registry serves one page. */
export type Route =
  | { readonly page: 'services' }
  | { readonly page: 'service'; readonly namespace: string; readonly name: string; readonly endpoint?: string };

export const parseRoute = (hash: string): Route => {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'services' && parts[1] && parts[2]) {
    return { page: 'service', namespace: parts[1], name: parts[2], endpoint: parts[3] === 'endpoints' && parts[4] ? parts[4] : undefined };
  }
  return { page: 'services' };
};

export const serviceHref = (namespace: string, name: string): string => `#/services/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;

export const endpointHref = (namespace: string, name: string, id: string): string => `${serviceHref(namespace, name)}/endpoints/${encodeURIComponent(id)}`;
