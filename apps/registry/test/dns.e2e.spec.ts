import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { connect } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { RegistryConfig } from '@lib/config';
import { eventually, graphqlOk, isolatedConfig, prometheusSample as sample } from '@lib/testing';
import { RegistryModule } from '../src/registry.module';
import { startRegistry, type RunningRegistry } from './registry-app';
import { dig, freeDnsPort, HaproxyProcess } from './support/dns-clients';

const ZONE = 'svc.cluster.local';
const REGISTER_SERVICE = `mutation($name: String!, $types: [AddressType!]) {
  registerService(input: { name: $name, addressTypes: $types, ports: [{ name: "http", port: 80, targetPort: 8080 }] }) { resourceVersion }
}`;
const REGISTER_ENDPOINTS = `mutation($inputs: [RegisterEndpointInput!]!) { registerEndpoints(inputs: $inputs) { resourceVersion } }`;

describe('DNS: the slices answered to dig, Node’s resolver and HAProxy', () => {
  let config: RegistryConfig;
  let registry: RunningRegistry;
  let port: number;
  const mutate = (query: string, variables: Record<string, unknown>) => graphqlOk(registry.url, query, variables);
  const scrape = async () => (await fetch(`${registry.url}/metrics`)).text();

  beforeAll(async () => {
    port = await freeDnsPort();
    config = await isolatedConfig({ DNS_PORT: String(port) });
    registry = await startRegistry(config);
    await mutate(REGISTER_SERVICE, { name: 'web', types: ['IPv4', 'IPv6'] });
    await mutate(REGISTER_SERVICE, { name: 'idle', types: ['IPv4'] });
    await mutate(REGISTER_SERVICE, { name: 'ext', types: ['FQDN'] });
    await mutate(REGISTER_SERVICE, { name: 'big', types: ['IPv4'] });
    await mutate(REGISTER_ENDPOINTS, {
      inputs: [
        { serviceName: 'web', id: 'web-0', addresses: ['10.0.0.1'], hostname: 'web-0' },
        { serviceName: 'web', id: 'web-1', addresses: ['10.0.0.2'] },
        { serviceName: 'web', id: 'web-2', addresses: ['10.0.0.3'], conditions: { ready: false } },
        { serviceName: 'web', id: 'web-6', addresses: ['fd00::1'] },
        { serviceName: 'ext', id: 'db', addresses: ['db.example.com'] },
        ...Array.from({ length: 60 }, (_, i) => ({ serviceName: 'big', id: `big-${i}`, addresses: [`10.1.0.${i + 1}`] })),
      ],
    });
    // The mutation returns once projected; this API instance serves it once its change feed read it.
    await eventually(async () => expect((await dig(port, `big.default.${ZONE}`, 'A', '+tcp')).answer).toHaveLength(60));
  });
  afterAll(async () => {
    await registry?.close();
  });

  describe('dig', () => {
    it('answers A and AAAA for a service with its ready addresses, authoritatively, over UDP and TCP', async () => {
      for (const transport of ['+notcp', '+tcp']) {
        const a = await dig(port, `web.default.${ZONE}`, 'A', transport);
        expect(a.status).toBe('NOERROR');
        expect(a.flags).toContain('aa');
        expect(a.answer.map((r) => r.data).sort()).toEqual(['10.0.0.1', '10.0.0.2']);
        expect(a.answer.every((r) => r.ttl === 5 && r.type === 'A')).toBe(true);
      }
      expect((await dig(port, `web.default.${ZONE}`, 'AAAA')).answer.map((r) => r.data)).toEqual(['fd00::1']);
    });

    it('answers SRV with the slice port and equal weights, the targets’ addresses in the additional section and on their own', async () => {
      const srv = await dig(port, `_http._tcp.web.default.${ZONE}`, 'SRV');
      expect(srv.status).toBe('NOERROR');
      expect(srv.answer.map((r) => r.data).sort()).toEqual([
        `0 33 8080 10-0-0-2.web.default.${ZONE}.`,
        `0 33 8080 fd00--1.web.default.${ZONE}.`,
        `0 33 8080 web-0.web.default.${ZONE}.`,
      ]);
      expect(srv.additional.map((r) => `${r.name} ${r.type} ${r.data}`).sort()).toEqual([
        `10-0-0-2.web.default.${ZONE}. A 10.0.0.2`,
        `fd00--1.web.default.${ZONE}. AAAA fd00::1`,
        `web-0.web.default.${ZONE}. A 10.0.0.1`,
      ]);
      expect((await dig(port, `web-0.web.default.${ZONE}`, 'A')).answer.map((r) => r.data)).toEqual(['10.0.0.1']);
      expect((await dig(port, `10-0-0-2.web.default.${ZONE}`, 'A')).answer.map((r) => r.data)).toEqual(['10.0.0.2']);
      expect((await dig(port, `fd00--1.web.default.${ZONE}`, 'AAAA')).answer.map((r) => r.data)).toEqual(['fd00::1']);
    });

    it('answers an FQDN endpoint as a CNAME', async () => {
      const cname = await dig(port, `ext.default.${ZONE}`, 'A');
      expect(cname.answer).toEqual([{ name: `ext.default.${ZONE}.`, ttl: 5, type: 'CNAME', data: 'db.example.com.' }]);
    });

    it('tells NXDOMAIN for unknown names from NOERROR with no answer for known names without that type', async () => {
      for (const name of [`nope.default.${ZONE}`, `web.nowhere.${ZONE}`, `10-0-0-3.web.default.${ZONE}`, `_grpc._tcp.web.default.${ZONE}`]) {
        const answer = await dig(port, name, 'A');
        expect({ name, status: answer.status, answers: answer.answer.length }).toEqual({ name, status: 'NXDOMAIN', answers: 0 });
        expect(answer.authority.map((r) => r.type)).toEqual(['SOA']);
      }
      for (const [name, type] of [[`web.default.${ZONE}`, 'TXT'], [`idle.default.${ZONE}`, 'A'], [`_http._tcp.web.default.${ZONE}`, 'A']]) {
        const answer = await dig(port, name, type);
        expect({ name, type, status: answer.status, answers: answer.answer.length }).toEqual({ name, type, status: 'NOERROR', answers: 0 });
      }
      expect((await dig(port, 'example.com', 'A')).status).toBe('REFUSED');
    });

    it('sets TC over UDP when the answer exceeds the client’s size, honours a larger EDNS0 size, and answers in full over TCP', async () => {
      const name = `big.default.${ZONE}`;
      const truncated = await dig(port, name, 'A', '+bufsize=512', '+ignore');
      expect(truncated.flags).toContain('tc');
      expect(truncated.answer).toEqual([]);
      const noEdns = await dig(port, name, 'A', '+noedns', '+ignore');
      expect(noEdns.flags).toContain('tc');

      const large = await dig(port, name, 'A', '+bufsize=4096');
      expect(large.flags).not.toContain('tc');
      expect(large.answer).toHaveLength(60);
      // Without +ignore, dig retries a truncated answer over TCP, as a resolver does.
      expect((await dig(port, name, 'A', '+bufsize=512')).answer).toHaveLength(60);
      expect((await dig(port, name, 'A', '+tcp')).answer).toHaveLength(60);
    });
  });

  describe('Node’s resolver', () => {
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    beforeAll(() => resolver.setServers([`127.0.0.1:${port}`]));

    it('resolves A, AAAA, SRV and CNAME, and reports NXDOMAIN and NODATA as node does', async () => {
      expect((await resolver.resolve4(`web.default.${ZONE}`)).sort()).toEqual(['10.0.0.1', '10.0.0.2']);
      expect(await resolver.resolve6(`web.default.${ZONE}`)).toEqual(['fd00::1']);
      expect((await resolver.resolveSrv(`_http._tcp.web.default.${ZONE}`)).map((r) => `${r.name}:${r.port}`).sort()).toEqual([
        `10-0-0-2.web.default.${ZONE}:8080`,
        `fd00--1.web.default.${ZONE}:8080`,
        `web-0.web.default.${ZONE}:8080`,
      ]);
      expect(await resolver.resolveCname(`ext.default.${ZONE}`)).toEqual(['db.example.com']);
      await expect(resolver.resolve4(`nope.default.${ZONE}`)).rejects.toMatchObject({ code: 'ENOTFOUND' });
      await expect(resolver.resolve4(`idle.default.${ZONE}`)).rejects.toMatchObject({ code: 'ENODATA' });
    });

    it('follows a change: a new endpoint is answered once this API instance has seen it', async () => {
      await mutate(REGISTER_ENDPOINTS, { inputs: [{ serviceName: 'web', id: 'web-3', addresses: ['10.0.0.4'] }] });
      await eventually(async () => expect((await resolver.resolve4(`web.default.${ZONE}`)).sort()).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.4']));
      await mutate(REGISTER_ENDPOINTS, { inputs: [{ serviceName: 'web', id: 'web-3', addresses: ['10.0.0.4'], conditions: { ready: false } }] });
      await eventually(async () => expect((await resolver.resolve4(`web.default.${ZONE}`)).sort()).toEqual(['10.0.0.1', '10.0.0.2']));
    });
  });

  it('HAProxy fills a server-template from the SRV answer and follows a new endpoint', async () => {
    const haproxy = HaproxyProcess.start(port, 'web', `_http._tcp.web.default.${ZONE}`, 5);
    try {
      const ipv4 = async () => (await haproxy.servers('web')).filter((s) => s.address.includes('.')).map((s) => `${s.address}:${s.port}`).sort();
      await eventually(async () => expect(await ipv4()).toEqual(['10.0.0.1:8080', '10.0.0.2:8080']), 20_000).catch((error: Error) => {
        throw new Error(`${error.message}\nhaproxy said:\n${haproxy.log}`);
      });
      await mutate(REGISTER_ENDPOINTS, { inputs: [{ serviceName: 'web', id: 'web-4', addresses: ['10.0.0.5'] }] });
      await eventually(async () => expect(await ipv4()).toEqual(['10.0.0.1:8080', '10.0.0.2:8080', '10.0.0.5:8080']), 20_000);
    } finally {
      await haproxy.stop();
    }
  });

  it('HAProxy asking over TCP fills 60 servers from an SRV answer too large for UDP', async () => {
    const haproxy = HaproxyProcess.start(port, 'big', `_http._tcp.big.default.${ZONE}`, 64, 'tcp');
    try {
      await eventually(async () => expect(await haproxy.servers('big')).toHaveLength(60), 20_000).catch((error: Error) => {
        throw new Error(`${error.message}\nhaproxy said:\n${haproxy.log}`);
      });
      expect(new Set((await haproxy.servers('big')).map((s) => `${s.address}:${s.port}`)).size).toBe(60);
    } finally {
      await haproxy.stop();
    }
  });

  it('drops malformed packets and counts them, keeps answering, and counts queries by type and rcode', async () => {
    const before = await scrape();
    const udp = createSocket('udp4');
    await new Promise<void>((resolve, reject) => udp.send(Buffer.from('definitely not dns'), port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
    udp.close();
    // Over TCP: a frame whose message is cut short, then a well-formed query on the same connection.
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(Buffer.from([0, 4, 0xde, 0xad, 0xbe, 0xef])));
      socket.on('error', reject);
      socket.on('close', () => resolve());
    });
    expect((await dig(port, `web.default.${ZONE}`, 'A')).status).toBe('NOERROR');
    expect((await dig(port, `nope.default.${ZONE}`, 'SRV', '+tcp')).status).toBe('NXDOMAIN');

    await eventually(async () => {
      const after = await scrape();
      const moved = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
      expect(moved('registry_dns_malformed_packets_total', { transport: 'udp' })).toBe(1);
      expect(moved('registry_dns_malformed_packets_total', { transport: 'tcp' })).toBe(1);
      expect(moved('registry_dns_queries_total', { transport: 'udp', type: 'A', rcode: 'NOERROR' })).toBe(1);
      expect(moved('registry_dns_queries_total', { transport: 'tcp', type: 'SRV', rcode: 'NXDOMAIN' })).toBe(1);
    });
  });

  it('a second API process on the same DNS port stops at start, naming DNS_PORT', async () => {
    const rival = await NestFactory.create(RegistryModule.forRoot(config, { projector: false }), { logger: false, abortOnError: false });
    try {
      await expect(rival.listen(0, '127.0.0.1')).rejects.toThrow(`DNS_PORT: port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await rival.close();
    }
  });
});
