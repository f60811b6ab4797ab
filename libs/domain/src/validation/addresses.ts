import type { AddressType } from '../registry/model';
import { DNS1123_SUBDOMAIN_MAX_LENGTH, isDns1123Label } from './names';

export type ParsedAddress =
  | { readonly ok: true; readonly family: AddressType; readonly canonical: string }
  | { readonly ok: false; readonly rule: string };

export const ADDRESS_RULE = 'must be an IPv4 address, an IPv6 address or a fully qualified domain name';
export const IPV4_RULE = 'must be a valid IPv4 address: four decimal octets 0-255 separated by dots (e.g. 10.9.8.7)';
export const IPV4_LEADING_ZERO_RULE = 'must not have leading 0s';
export const IPV6_RULE = 'must be a valid IPv6 address (e.g. 2001:db8::ffff)';
export const IPV6_ZONE_RULE = 'must not have an IPv6 zone index (%...): endpoint addresses must be routable beyond one link';
export const IPV4_MAPPED_RULE = 'must not be an IPv4-mapped IPv6 address';
export const UNSPECIFIED_RULE = 'must not be the unspecified address (0.0.0.0, ::)';
export const LOOPBACK_RULE = 'must not be in the loopback range (127.0.0.0/8, ::1/128)';
export const LINK_LOCAL_RULE = 'must not be in the link-local unicast range (169.254.0.0/16, fe80::/10)';
export const LINK_LOCAL_MULTICAST_RULE = 'must not be in the link-local multicast range (224.0.0.0/24, ffx2::/16)';
export const FQDN_LENGTH_RULE = 'must be a fully qualified domain name of at most 253 characters';
export const FQDN_SEGMENTS_RULE = 'must be a fully qualified domain name with at least two segments separated by dots';
export const FQDN_LABEL_RULE =
  "must be a fully qualified domain name whose dot-separated segments are DNS-1123 labels: lower case alphanumerics or '-', starting and ending with an alphanumeric, at most 63 characters";

const invalid = (rule: string): ParsedAddress => ({ ok: false, rule });

// Which family the text is trying to be decides which rule the error names. A dotted tail is
// only legal after the last ':' of an IPv6 address, so "10.0.0.1:80" (host:port) is neither.
const looksLikeIPv6 = (raw: string): boolean =>
  /^[0-9A-Fa-f:.]+(%.*)?$/.test(raw) && raw.includes(':') && !/\.[^:%]*:/.test(raw);
const looksLikeIPv4 = (raw: string): boolean => /^[0-9.]+$/.test(raw);
const looksLikeDomain = (raw: string): boolean => /^[A-Za-z0-9._-]+$/.test(raw);

/**
 * Classifies an endpoint address and returns its canonical form, applying the API server's
 * rules for IPv4/IPv6/FQDN slices (k8s validation.go validateEndpoint + ValidateEndpointIP,
 * apimachinery IsValidIP with StrictIPCIDRValidation, IsFullyQualifiedDomainName).
 */
export const parseAddress = (raw: string): ParsedAddress => {
  if (looksLikeIPv6(raw)) return parseIPv6Address(raw);
  if (looksLikeIPv4(raw)) return parseIPv4Address(raw);
  if (looksLikeDomain(raw)) return parseDomainName(raw);
  return invalid(ADDRESS_RULE);
};

const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** The four octets of a dotted-quad, or the violated rule, checked part by part as upstream does (no strings split off). */
const parseIPv4Octets = (text: string): readonly number[] | string => {
  let dots = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === DOT) dots++;
  if (dots !== 3) return IPV4_RULE;
  const octets: number[] = [];
  let start = 0;
  for (let end = 0; end <= text.length; end++) {
    if (end < text.length && text.charCodeAt(end) !== DOT) continue;
    if (end === start) return IPV4_RULE;
    let octet = 0;
    for (let i = start; i < end; i++) {
      const code = text.charCodeAt(i);
      if (code < ZERO || code > NINE) return IPV4_RULE;
      octet = Math.min(octet * 10 + (code - ZERO), 256);
    }
    // Strict parsing (KEP-4858): "010" is octal to some parsers and decimal to others.
    if (end - start > 1 && text.charCodeAt(start) === ZERO) return IPV4_LEADING_ZERO_RULE;
    if (octet > 255) return IPV4_RULE;
    octets.push(octet);
    start = end + 1;
  }
  return octets;
};

const parseIPv4Address = (raw: string): ParsedAddress => {
  const octets = parseIPv4Octets(raw);
  if (typeof octets === 'string') return invalid(octets);
  const [a, b, c, d] = octets;
  if (a === 0 && b === 0 && c === 0 && d === 0) return invalid(UNSPECIFIED_RULE);
  if (a === 127) return invalid(LOOPBACK_RULE);
  if (a === 169 && b === 254) return invalid(LINK_LOCAL_RULE);
  if (a === 224 && b === 0 && c === 0) return invalid(LINK_LOCAL_MULTICAST_RULE);
  // Digits without leading zeros: a valid text is already its canonical form.
  return { ok: true, family: 'IPv4', canonical: raw };
};

const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

const parseIPv6Side = (side: string, allowIPv4Tail: boolean): number[] | string => {
  if (side === '') return [];
  const pieces = side.split(':');
  const groups: number[] = [];
  for (const [index, piece] of pieces.entries()) {
    if (allowIPv4Tail && index === pieces.length - 1 && piece.includes('.')) {
      const octets = parseIPv4Octets(piece);
      if (typeof octets === 'string') return octets === IPV4_LEADING_ZERO_RULE ? octets : IPV6_RULE;
      groups.push(octets[0] * 256 + octets[1], octets[2] * 256 + octets[3]);
    } else if (HEX_GROUP.test(piece)) {
      groups.push(Number.parseInt(piece, 16));
    } else {
      return IPV6_RULE;
    }
  }
  return groups;
};

/** The eight 16-bit groups of an IPv6 address in any RFC 4291 text form, or the violated rule. */
export const parseIPv6Groups = (text: string): readonly number[] | string => {
  const halves = text.split('::');
  if (halves.length > 2) return IPV6_RULE;
  const head = parseIPv6Side(halves[0], halves.length === 1);
  if (typeof head === 'string') return head;
  if (halves.length === 1) return head.length === 8 ? head : IPV6_RULE;
  const tail = parseIPv6Side(halves[1], true);
  if (typeof tail === 'string') return tail;
  // "::" stands for at least one zero group (Go netip: "must expand to at least one field of zeros").
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return IPV6_RULE;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
};

/**
 * RFC 5952 §4: lower case, no leading zeros, the longest run of two or more zero groups
 * (the first on a tie) becomes "::". Embedded IPv4 tails are re-printed as hex, as Go's
 * netip.Addr.String does for every address that is not IPv4-mapped (those are rejected anyway).
 */
export const formatIPv6Groups = (groups: readonly number[]): string => {
  let runStart = -1;
  let runLength = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let end = i;
    while (end < groups.length && groups[end] === 0) end += 1;
    if (end - i > runLength) {
      runStart = i;
      runLength = end - i;
    }
    i = end;
  }
  const hex = (group: number): string => group.toString(16);
  if (runLength < 2) return groups.map(hex).join(':');
  const before = groups.slice(0, runStart).map(hex).join(':');
  const after = groups.slice(runStart + runLength).map(hex).join(':');
  return `${before}::${after}`;
};

const parseIPv6Address = (raw: string): ParsedAddress => {
  if (raw.includes('%')) return invalid(IPV6_ZONE_RULE);
  const groups = parseIPv6Groups(raw);
  if (typeof groups === 'string') return invalid(groups);
  const [first] = groups;
  const prefixIsZero = (count: number): boolean => groups.slice(0, count).every((group) => group === 0);
  // ::ffff:0:0/96 is an IPv4 address in disguise; k8s requires it to be written as IPv4.
  if (prefixIsZero(5) && groups[5] === 0xffff) return invalid(IPV4_MAPPED_RULE);
  if (prefixIsZero(8)) return invalid(UNSPECIFIED_RULE);
  if (prefixIsZero(7) && groups[7] === 1) return invalid(LOOPBACK_RULE);
  if ((first & 0xffc0) === 0xfe80) return invalid(LINK_LOCAL_RULE);
  // Go's IsLinkLocalMulticast: ff02::/16 and every flag variant (ff12::, ff32::, ...).
  if ((first & 0xff0f) === 0xff02) return invalid(LINK_LOCAL_MULTICAST_RULE);
  return { ok: true, family: 'IPv6', canonical: formatIPv6Groups(groups) };
};

const parseDomainName = (raw: string): ParsedAddress => {
  // IsFullyQualifiedDomainName strips exactly one trailing dot; DNS names are case-insensitive,
  // and we store them lower-cased so equal names compare equal.
  const name = (raw.endsWith('.') ? raw.slice(0, -1) : raw).toLowerCase();
  if (name.length > DNS1123_SUBDOMAIN_MAX_LENGTH) return invalid(FQDN_LENGTH_RULE);
  const segments = name.split('.');
  if (segments.length < 2) return invalid(FQDN_SEGMENTS_RULE);
  if (!segments.every(isDns1123Label)) return invalid(FQDN_LABEL_RULE);
  return { ok: true, family: 'FQDN', canonical: name };
};
