import { DomainError } from '../errors';
import { canRead, canWrite, isAdmin, parseScopes, readableNamespaces } from './scopes';

describe('scopes', () => {
  it.each([
    [['read:shop'], 'shop', true, false],
    [['read:shop'], 'other', false, false],
    [['write:shop'], 'shop', true, true],
    [['write:*'], 'anything', true, true],
    [['read:*'], 'anything', true, false],
    [['admin'], 'anything', true, true],
    [['read:a', 'write:b'], 'b', true, true],
  ])('%p on namespace %s: read %p, write %p', (raw, namespace, read, write) => {
    const scopes = parseScopes(raw, 'scopes');
    expect(canRead(scopes, namespace)).toBe(read);
    expect(canWrite(scopes, namespace)).toBe(write);
  });

  it('lists readable namespaces', () => {
    expect(readableNamespaces(parseScopes(['read:b', 'write:a', 'read:a'], 's'))).toEqual(['a', 'b']);
    expect(readableNamespaces(parseScopes(['read:*'], 's'))).toBe('all');
    expect(readableNamespaces(parseScopes(['admin'], 's'))).toBe('all');
  });

  it('knows admins', () => {
    expect(isAdmin(parseScopes(['admin'], 's'))).toBe(true);
    expect(isAdmin(parseScopes(['write:*'], 's'))).toBe(false);
  });

  it.each([[['root']], [['read:']], [['write:Bad_NS']], [['read:a:b']], [[]]])('refuses %p naming the field', (raw) => {
    expect(() => parseScopes(raw, 'input.scopes')).toThrow(DomainError);
    expect(() => parseScopes(raw, 'input.scopes')).toThrow(/input\.scopes/);
  });
});
