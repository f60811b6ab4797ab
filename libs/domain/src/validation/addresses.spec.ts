import { formatIPv6Groups, parseAddress, parseIPv6Groups } from './addresses';

describe('parseAddress', () => {
  describe('accepts and canonicalizes', () => {
    it.each([
      ['10.9.8.7', 'IPv4', '10.9.8.7'],
      ['0.1.2.3', 'IPv4', '0.1.2.3'],
      ['255.255.255.255', 'IPv4', '255.255.255.255'],
      ['224.0.1.1', 'IPv4', '224.0.1.1'],
      ['126.255.255.255', 'IPv4', '126.255.255.255'],
      ['169.253.1.1', 'IPv4', '169.253.1.1'],
      // RFC 5952 §4 vectors
      ['2001:DB8::1', 'IPv6', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', 'IPv6', '2001:db8::1:0:0:1'],
      ['2001:0db8::0001', 'IPv6', '2001:db8::1'],
      ['1234::5678:0000:0000:9abc:def0', 'IPv6', '1234::5678:0:0:9abc:def0'],
      ['2001:db8:0:1:1:1:1:1', 'IPv6', '2001:db8:0:1:1:1:1:1'],
      ['2001:db8:0:0:0:0:2:1', 'IPv6', '2001:db8::2:1'],
      ['2001:db8::0:1', 'IPv6', '2001:db8::1'],
      ['2001:0:0:1:0:0:0:1', 'IPv6', '2001:0:0:1::1'],
      ['2001:db8:0:0:1:0:0:0', 'IPv6', '2001:db8:0:0:1::'],
      ['fd00:0:0:0:0:0:0:0', 'IPv6', 'fd00::'],
      ['0:0:0:0:0:0:0:2', 'IPv6', '::2'],
      ['1:2:3:4:5:6:7::', 'IPv6', '1:2:3:4:5:6:7:0'],
      ['::2:3:4:5:6:7:8', 'IPv6', '0:2:3:4:5:6:7:8'],
      ['64:ff9b::1.2.3.4', 'IPv6', '64:ff9b::102:304'],
      ['::ffff:0:1.2.3.4', 'IPv6', '::ffff:0:102:304'],
      ['fec0::1', 'IPv6', 'fec0::1'],
      ['ff05::1', 'IPv6', 'ff05::1'],
      ['Foo.Example.COM.', 'FQDN', 'foo.example.com'],
      ['api.example.com', 'FQDN', 'api.example.com'],
      ['a-1.b-2.c', 'FQDN', 'a-1.b-2.c'],
      ['dead.beef', 'FQDN', 'dead.beef'],
    ])('%s -> %s %s', (raw, family, canonical) => {
      expect(parseAddress(raw)).toEqual({ ok: true, family, canonical });
    });
  });

  describe('rejects, naming the rule', () => {
    it.each([
      ['001.2.3.4', /must not have leading 0s/],
      ['10.09.8.7', /must not have leading 0s/],
      ['1.2.3.256', /must be a valid IPv4 address/],
      ['1.2.3', /must be a valid IPv4 address/],
      ['1.2.3.4.', /must be a valid IPv4 address/],
      ['1.2.3.4.5', /must be a valid IPv4 address/],
      ['1..2.3', /must be a valid IPv4 address/],
      ['.1.2.3', /must be a valid IPv4 address/],
      ['1.2.3.99999999999999999999', /must be a valid IPv4 address/],
      // Parts are judged in order: the first bad part names the rule.
      ['01.2.3.256', /must not have leading 0s/],
      ['1.256.3.04', /must be a valid IPv4 address/],
      ['0.0.0.0', /unspecified/],
      ['127.0.0.1', /loopback/],
      ['127.255.0.9', /loopback/],
      ['169.254.169.254', /link-local unicast/],
      ['224.0.0.251', /link-local multicast/],
      ['::ffff:1.2.3.4', /must not be an IPv4-mapped IPv6 address/],
      ['::FFFF:c000:0280', /must not be an IPv4-mapped IPv6 address/],
      ['::ffff:0:0', /must not be an IPv4-mapped IPv6 address/],
      ['::', /unspecified/],
      ['0:0:0:0:0:0:0:0', /unspecified/],
      ['::1', /loopback/],
      ['fe80::1', /link-local unicast/],
      ['febf:ffff::1', /link-local unicast/],
      ['ff02::1', /link-local multicast/],
      ['ff12::1:2', /link-local multicast/],
      ['fe80::1%eth0', /zone index/],
      ['1:2:3:4:5:6:7:8:9', /must be a valid IPv6 address/],
      ['1:2:3:4:5:6:7', /must be a valid IPv6 address/],
      ['1:2:3:4:5:6:7:8::', /must be a valid IPv6 address/],
      ['1::2::3', /must be a valid IPv6 address/],
      [':::', /must be a valid IPv6 address/],
      [':1::2', /must be a valid IPv6 address/],
      ['12345::1', /must be a valid IPv6 address/],
      ['1.2.3.4::', /IPv4 address, an IPv6 address or a fully qualified domain name/],
      ['::1.2.3', /must be a valid IPv6 address/],
      ['64:ff9b::01.2.3.4', /must not have leading 0s/],
      ['localhost', /at least two segments/],
      ['-foo.example.com', /DNS-1123 labels/],
      ['foo..example.com', /DNS-1123 labels/],
      ['foo_bar.example.com', /DNS-1123 labels/],
      [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`, /at most 253 characters/],
      ['', /IPv4 address, an IPv6 address or a fully qualified domain name/],
      ['10.0.0.1:80', /IPv4 address, an IPv6 address or a fully qualified domain name/],
      ['http://example.com', /IPv4 address, an IPv6 address or a fully qualified domain name/],
      ['foo bar', /IPv4 address, an IPv6 address or a fully qualified domain name/],
      [' 10.0.0.1', /IPv4 address, an IPv6 address or a fully qualified domain name/],
    ])('%j: %s', (raw, rule) => {
      const parsed = parseAddress(raw);
      expect(parsed.ok).toBe(false);
      expect(parsed.ok ? '' : parsed.rule).toMatch(rule);
    });
  });
});

describe('IPv6 groups', () => {
  it.each([
    ['2001:db8::1', [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]],
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['1::', [1, 0, 0, 0, 0, 0, 0, 0]],
    ['::10.0.0.1', [0, 0, 0, 0, 0, 0, 0x0a00, 0x0001]],
  ])('parses %s', (text, groups) => {
    expect(parseIPv6Groups(text)).toEqual(groups);
  });

  it.each([
    [[1, 0, 0, 1, 0, 0, 0, 1], '1:0:0:1::1'],
    [[1, 0, 0, 1, 0, 0, 1, 1], '1::1:0:0:1:1'],
    [[0, 0, 1, 1, 1, 1, 0, 0], '::1:1:1:1:0:0'],
    [[1, 0, 1, 1, 1, 1, 1, 1], '1:0:1:1:1:1:1:1'],
    [[0xabcd, 0, 0, 0, 0, 0, 0, 0], 'abcd::'],
  ])('formats %j as %s (longest zero run, first on ties, no single-group ::)', (groups, text) => {
    expect(formatIPv6Groups(groups)).toBe(text);
  });
});
