/**
 * The discovery documents kubectl and client libraries read before they touch a resource. Only
 * discovery.k8s.io/v1 endpointslices exists here; the core group is announced (empty) because
 * kubectl refuses a server without /api/v1.
 */

const GROUP = 'discovery.k8s.io';
const GROUP_VERSION = `${GROUP}/v1`;

// kubectl compares this with its own version only to warn about skew; 1.33 serves
// discovery.k8s.io/v1 EndpointSlices with every field this registry writes (hints.forNodes included).
export const VERSION_INFO = Object.freeze({
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0+endpointslice-registry',
  gitCommit: '',
  gitTreeState: 'clean',
  buildDate: '1970-01-01T00:00:00Z',
  goVersion: '',
  compiler: '',
  platform: 'linux/amd64',
});

export const CORE_API_VERSIONS = Object.freeze({
  kind: 'APIVersions',
  versions: ['v1'],
  serverAddressByClientCIDRs: [],
});

export const CORE_V1_RESOURCES = Object.freeze({ kind: 'APIResourceList', groupVersion: 'v1', resources: [] });

const DISCOVERY_GROUP = Object.freeze({
  name: GROUP,
  versions: [{ groupVersion: GROUP_VERSION, version: 'v1' }],
  preferredVersion: { groupVersion: GROUP_VERSION, version: 'v1' },
});

export const API_GROUP_LIST = Object.freeze({ kind: 'APIGroupList', apiVersion: 'v1', groups: [DISCOVERY_GROUP] });

export const DISCOVERY_API_GROUP = Object.freeze({ kind: 'APIGroup', apiVersion: 'v1', ...DISCOVERY_GROUP });

export const DISCOVERY_V1_RESOURCES = Object.freeze({
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: GROUP_VERSION,
  resources: [{ name: 'endpointslices', singularName: 'endpointslice', namespaced: true, kind: 'EndpointSlice', verbs: ['get', 'list', 'watch'] }],
});
