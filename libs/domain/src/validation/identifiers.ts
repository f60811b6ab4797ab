import {
  DNS1035_LABEL_RULE,
  DNS1123_LABEL_RULE,
  isDns1035Label,
  isDns1123Label,
} from './names';
import { requireShape } from './field-path';

export const DEFAULT_NAMESPACE = 'default';

export const ENDPOINT_ID_MAX_LENGTH = 253;
// Letters, digits and the punctuation of canonical addresses ('.', ':') plus '-' and '_'.
// The id defaults to the first address, so every canonical IPv4/IPv6/FQDN address must fit;
// '/' is excluded because ids are joined with namespace/service into keys and cursors.
const ENDPOINT_ID = /^[A-Za-z0-9._:-]+$/;
export const ENDPOINT_ID_RULE =
  "must be an endpoint id: 1 to 253 letters, digits, '-', '.', '_' or ':'";

// Namespaces are DNS-1123 labels (k8s ValidateNamespaceName); GraphQL's default "default" is
// applied here too so an explicit null behaves like an omitted argument.
export const validateNamespace = (value: string | null | undefined, field: string): string =>
  requireShape(value ?? DEFAULT_NAMESPACE, field, isDns1123Label, DNS1123_LABEL_RULE);

// Service names are DNS-1035 labels (k8s ValidateServiceName): they become DNS names, which
// must not start with a digit.
export const validateServiceName = (value: string, field: string): string =>
  requireShape(value, field, isDns1035Label, DNS1035_LABEL_RULE);

export const validateEndpointId = (value: string, field: string): string =>
  requireShape(
    value,
    field,
    (id) => id.length <= ENDPOINT_ID_MAX_LENGTH && ENDPOINT_ID.test(id),
    ENDPOINT_ID_RULE,
  );
