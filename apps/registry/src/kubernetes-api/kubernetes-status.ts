import { assertNever } from '@lib/domain';
import { toGraphQLError, type RegistryErrorCode } from '../graphql/format-error';

/** metav1.Status: how the Kubernetes API answers every failure (kubectl prints its message). */
export interface KubernetesStatus {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure';
  readonly message: string;
  readonly reason: string;
  readonly code: number;
  readonly details?: Readonly<Record<string, unknown>>;
}

export const kubernetesStatus = (code: number, reason: string, message: string, details?: Record<string, unknown>): KubernetesStatus => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  code,
  ...(details ? { details } : {}),
});

// The StatusReason values of k8s.io/apimachinery metav1 that client-go keys its retries on
// (410 Expired re-lists, 429 honours Retry-After).
const httpStatusOf = (code: RegistryErrorCode): readonly [number, string] => {
  switch (code) {
    case 'BAD_USER_INPUT':
      return [400, 'BadRequest'];
    case 'UNAUTHENTICATED':
      return [401, 'Unauthorized'];
    case 'FORBIDDEN':
      return [403, 'Forbidden'];
    case 'NOT_FOUND':
      return [404, 'NotFound'];
    case 'CONFLICT':
      return [409, 'Conflict'];
    case 'RESOURCE_VERSION_TOO_OLD':
      return [410, 'Expired'];
    // A watcher that fell behind lost its place like a compacted one: the client lists again.
    case 'SUBSCRIBER_TOO_SLOW':
      return [410, 'Expired'];
    case 'RATE_LIMITED':
      return [429, 'TooManyRequests'];
    case 'UNAVAILABLE':
      return [503, 'ServiceUnavailable'];
    case 'INTERNAL_SERVER_ERROR':
      return [500, 'InternalError'];
    default:
      return assertNever(code);
  }
};

/** Any thrown error as a Status, through the API's one error translator. */
export const toKubernetesStatus = (error: unknown): KubernetesStatus => {
  const { message, code, extensions } = toGraphQLError(error);
  const [httpCode, reason] = httpStatusOf(code);
  const retryAfterSeconds = extensions?.retryAfterSeconds;
  return kubernetesStatus(httpCode, reason, message, typeof retryAfterSeconds === 'number' ? { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) } : undefined);
};

export const methodNotAllowed = (method: string): KubernetesStatus =>
  kubernetesStatus(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method.toLowerCase()} endpointslices.discovery.k8s.io): this API is read-only, register through GraphQL`, {
    group: 'discovery.k8s.io',
    kind: 'endpointslices',
  });
