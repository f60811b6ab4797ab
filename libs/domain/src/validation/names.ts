// Name shapes from k8s.io/apimachinery/pkg/util/validation/validation.go. The regexes are the
// upstream ones; the length caps are checked separately, as upstream does, because the
// regexes alone accept any length.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1035_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
export const QUALIFIED_NAME_MAX_LENGTH = 63;
export const LABEL_VALUE_MAX_LENGTH = 63;

export const DNS1123_LABEL_RULE =
  "must be a DNS-1123 label: lower case alphanumerics or '-', starting and ending with an alphanumeric, at most 63 characters";
export const DNS1035_LABEL_RULE =
  "must be a DNS-1035 label: lower case alphanumerics or '-', starting with a letter and ending with an alphanumeric, at most 63 characters";
export const DNS1123_SUBDOMAIN_RULE =
  "must be a DNS-1123 subdomain: lower case alphanumerics, '-' or '.', each dot-separated part starting and ending with an alphanumeric, at most 253 characters";
export const QUALIFIED_NAME_RULE =
  "must be a qualified name: an optional DNS-1123 subdomain prefix followed by '/', then a name of 1 to 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
export const LABEL_VALUE_RULE =
  "must be a label value: empty, or at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";

export const isDns1123Label = (value: string): boolean =>
  value.length <= DNS1123_LABEL_MAX_LENGTH && DNS1123_LABEL.test(value);

export const isDns1035Label = (value: string): boolean =>
  value.length <= DNS1035_LABEL_MAX_LENGTH && DNS1035_LABEL.test(value);

export const isDns1123Subdomain = (value: string): boolean =>
  value.length <= DNS1123_SUBDOMAIN_MAX_LENGTH && DNS1123_SUBDOMAIN.test(value);

// IsQualifiedName: exactly one optional '/' separating a subdomain prefix from the name part;
// an empty prefix ("/foo") is invalid upstream ("prefix part must be non-empty").
export const isQualifiedName = (value: string): boolean => {
  const parts = value.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && !isDns1123Subdomain(parts[0])) return false;
  return name.length <= QUALIFIED_NAME_MAX_LENGTH && QUALIFIED_NAME_PART.test(name);
};

export const isLabelValue = (value: string): boolean =>
  value.length <= LABEL_VALUE_MAX_LENGTH && LABEL_VALUE.test(value);
