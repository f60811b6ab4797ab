/* global console, process, setTimeout */
// Runs @kubernetes/client-node's informer (ESM only, so outside Jest) against the registry and
// prints every callback as one JSON line: {"verb":"add|update|delete|error|started", ...}.
import * as k8s from '@kubernetes/client-node';

const [server, caFile, token, namespace] = process.argv.slice(2);
const config = new k8s.KubeConfig();
config.loadFromOptions({
  clusters: [{ name: 'registry', server, caFile }],
  users: [{ name: 'reader', token }],
  contexts: [{ name: 'registry', cluster: 'registry', user: 'reader' }],
  currentContext: 'registry',
});
const api = config.makeApiClient(k8s.DiscoveryV1Api);
const informer = k8s.makeInformer(config, `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`, () =>
  api.listNamespacedEndpointSlice({ namespace }),
);
const print = (line) => console.log(JSON.stringify(line));
for (const verb of ['add', 'update', 'delete']) {
  informer.on(verb, (slice) =>
    print({ verb, name: slice.metadata.name, resourceVersion: slice.metadata.resourceVersion, addresses: (slice.endpoints ?? []).flatMap((e) => e.addresses) }),
  );
}
// The informer stops on an error; a client restarts it (stack-notes §8).
informer.on('error', (error) => {
  print({ verb: 'error', message: String(error) });
  setTimeout(() => void informer.start(), 500);
});
await informer.start();
print({ verb: 'started' });
