import type { AddressType } from '../registry/model';

const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;

// Addresses are validated and canonical by the time they are stored, so the shape alone tells
// the family apart (k8s §3.2: an endpoint's addresses for a family are its IPs of that family).
export const addressFamilyOf = (address: string): AddressType => {
  if (DOTTED_QUAD.test(address)) return 'IPv4';
  if (address.includes(':')) return 'IPv6';
  return 'FQDN';
};
