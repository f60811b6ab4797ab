import type { EndpointSlice, SliceEndpoint } from '@lib/domain';
import type { Answer, SoaAnswer } from 'dns-packet';

/** What the answers are computed from: the slice view, or plain data in a test. */
export interface SliceLookup {
  slicesOf(namespace: string, service: string): readonly EndpointSlice[];
  /** namespace/service keys of every service with slices. */
  serviceKeys(): Iterable<string>;
  readonly resourceVersion: bigint;
}

/** A question as decoded: the type is a string, including ANY and UNKNOWN_<n> for types without a name. */
export interface DnsQuestion {
  readonly name: string;
  readonly type: string;
}

export interface DnsZone {
  /** Lower case, no trailing dot, e.g. `cluster.local`. */
  readonly zone: string;
  readonly ttlSeconds: number;
}

export type DnsRcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED';

export interface DnsAnswer {
  readonly rcode: DnsRcode;
  /** False outside the zone: this server is authoritative for the zone and nothing else. */
  readonly authoritative: boolean;
  readonly answers: Answer[];
  readonly authorities: Answer[];
  readonly additionals: Answer[];
}

/** What a name under `svc.<zone>` denotes, per the Kubernetes DNS specification. */
type ParsedName =
  | { readonly kind: 'apex' }
  | { readonly kind: 'svc' }
  | { readonly kind: 'namespace'; readonly namespace: string }
  | { readonly kind: 'service'; readonly namespace: string; readonly service: string }
  | { readonly kind: 'protocol'; readonly namespace: string; readonly service: string; readonly protocol: string }
  | { readonly kind: 'srv'; readonly namespace: string; readonly service: string; readonly portName: string; readonly protocol: string }
  | { readonly kind: 'endpoint'; readonly namespace: string; readonly service: string; readonly label: string };

/** undefined: outside the zone; 'unknown': inside it but not a name this registry defines. */
export const parseName = (name: string, zone: string): ParsedName | 'unknown' | undefined => {
  const fqdn = name.toLowerCase().replace(/\.$/, '');
  if (fqdn === zone) return { kind: 'apex' };
  if (!fqdn.endsWith(`.${zone}`)) return undefined;
  const labels = fqdn.slice(0, -zone.length - 1).split('.');
  if (labels.pop() !== 'svc') return 'unknown';
  const [first, second, third, fourth, ...more] = labels.reverse();
  // Reversed: namespace, service, then the labels below the service.
  if (first === undefined) return { kind: 'svc' };
  if (second === undefined) return { kind: 'namespace', namespace: first };
  if (third === undefined) return { kind: 'service', namespace: first, service: second };
  if (fourth === undefined) {
    return third.startsWith('_')
      ? { kind: 'protocol', namespace: first, service: second, protocol: third.slice(1) }
      : { kind: 'endpoint', namespace: first, service: second, label: third };
  }
  if (more.length === 0 && third.startsWith('_') && fourth.startsWith('_')) {
    return { kind: 'srv', namespace: first, service: second, protocol: third.slice(1), portName: fourth.slice(1) };
  }
  return 'unknown';
};

/** The endpoint's own name below the service: its hostname, else its address with dashes (10-0-0-1, fd00--1). */
export const endpointLabel = (endpoint: SliceEndpoint, address: string): string =>
  (endpoint.hostname ?? address.replace(/[.:]/g, '-')).toLowerCase();

interface ReadyAddress {
  readonly slice: EndpointSlice;
  readonly label: string;
  readonly address: string;
}

const readyAddresses = (slices: readonly EndpointSlice[]): ReadyAddress[] =>
  slices.flatMap((slice) =>
    slice.endpoints
      .filter((endpoint) => endpoint.conditions.ready)
      .flatMap((endpoint) => endpoint.addresses.map((address) => ({ slice, label: endpointLabel(endpoint, address), address }))),
  );

const unique = <T>(items: readonly T[], key: (item: T) => string): T[] => {
  const byKey = new Map<string, T>();
  for (const item of items) if (!byKey.has(key(item))) byKey.set(key(item), item);
  return [...byKey.values()];
};

const ADDRESS_RECORD = { IPv4: 'A', IPv6: 'AAAA' } as const;

export class DnsRecords {
  constructor(
    private readonly zone: DnsZone,
    private readonly lookup: SliceLookup,
  ) {}

  answer(question: DnsQuestion): DnsAnswer {
    const parsed = parseName(question.name, this.zone.zone);
    if (parsed === undefined) return { rcode: 'REFUSED', authoritative: false, answers: [], authorities: [], additionals: [] };
    if (parsed === 'unknown') return this.negative('NXDOMAIN');
    switch (parsed.kind) {
      case 'apex':
        return question.type === 'SOA' || question.type === 'ANY' ? this.positive([this.soa(question.name)]) : this.negative('NOERROR');
      case 'svc':
        return this.negative('NOERROR');
      case 'namespace':
        return this.negative(this.hasNamespace(parsed.namespace) ? 'NOERROR' : 'NXDOMAIN');
      case 'protocol': {
        const slices = this.lookup.slicesOf(parsed.namespace, parsed.service);
        const exists = slices.some((slice) => slice.ports.some((port) => port.name !== '' && port.protocol.toLowerCase() === parsed.protocol));
        return this.negative(exists ? 'NOERROR' : 'NXDOMAIN');
      }
      case 'service':
        return this.serviceAnswer(question, this.lookup.slicesOf(parsed.namespace, parsed.service));
      case 'endpoint':
        return this.endpointAnswer(question, this.lookup.slicesOf(parsed.namespace, parsed.service), parsed.label);
      case 'srv':
        return this.srvAnswer(question, parsed);
    }
  }

  /** A/AAAA of every ready address; a service whose only ready endpoints are FQDNs is a CNAME to the first. */
  private serviceAnswer(question: DnsQuestion, slices: readonly EndpointSlice[]): DnsAnswer {
    if (slices.length === 0) return this.negative('NXDOMAIN');
    const ready = readyAddresses(slices);
    const ips = ready.filter((r) => r.slice.addressType !== 'FQDN');
    const fqdn = ready.find((r) => r.slice.addressType === 'FQDN');
    if (ips.length === 0 && fqdn) return this.cnameAnswer(question, fqdn.address);
    return this.positive(this.addressRecords(question.name, question.type, ips));
  }

  /** `<hostname or address with dashes>.<service>...`: its ready addresses, or a CNAME for an FQDN endpoint. */
  private endpointAnswer(question: DnsQuestion, slices: readonly EndpointSlice[], label: string): DnsAnswer {
    const matching = readyAddresses(slices).filter((r) => r.label === label);
    if (matching.length === 0) return this.negative('NXDOMAIN');
    const fqdn = matching.find((r) => r.slice.addressType === 'FQDN');
    if (fqdn) return this.cnameAnswer(question, fqdn.address);
    return this.positive(this.addressRecords(question.name, question.type, matching));
  }

  /**
   * One SRV record per ready address and slice port, priority 0 and equal weights, pointing at the
   * endpoint's own name, whose A/AAAA ride along in the additional section. An FQDN endpoint's SRV
   * points at the FQDN itself: an SRV target must not be an alias (RFC 2782).
   */
  private srvAnswer(question: DnsQuestion, name: Extract<ParsedName, { kind: 'srv' }>): DnsAnswer {
    const slices = this.lookup.slicesOf(name.namespace, name.service).filter((slice) =>
      slice.ports.some((port) => port.name !== '' && port.name.toLowerCase() === name.portName && port.protocol.toLowerCase() === name.protocol),
    );
    if (slices.length === 0) return this.negative('NXDOMAIN');
    if (question.type !== 'SRV' && question.type !== 'ANY') return this.negative('NOERROR');
    const serviceName = `${name.service}.${name.namespace}.svc.${this.zone.zone}`;
    const targets = unique(
      readyAddresses(slices).map((ready) => {
        const port = ready.slice.ports.find((p) => p.name.toLowerCase() === name.portName && p.protocol.toLowerCase() === name.protocol);
        const target = ready.slice.addressType === 'FQDN' ? ready.address : `${ready.label}.${serviceName}`;
        return { ready, target, port: port?.port ?? 0 };
      }),
      (t) => `${t.target} ${t.port}`,
    );
    const weight = targets.length === 0 ? 0 : Math.max(1, Math.floor(100 / targets.length));
    const answers: Answer[] = targets.map((t) => ({
      type: 'SRV',
      name: question.name,
      ttl: this.zone.ttlSeconds,
      data: { priority: 0, weight, port: t.port, target: t.target },
    }));
    const additionals = unique(
      targets.filter((t) => t.ready.slice.addressType !== 'FQDN'),
      (t) => `${t.target} ${t.ready.address}`,
    ).map((t) => this.addressRecord(t.target, t.ready));
    return { ...this.positive(answers), additionals };
  }

  private addressRecords(owner: string, type: string, ready: readonly ReadyAddress[]): Answer[] {
    const wanted = unique(
      ready.filter((r) => type === 'ANY' || ADDRESS_RECORD[r.slice.addressType as 'IPv4' | 'IPv6'] === type),
      (r) => r.address,
    );
    return wanted.map((r) => this.addressRecord(owner, r));
  }

  private addressRecord(owner: string, ready: ReadyAddress): Answer {
    return { type: ADDRESS_RECORD[ready.slice.addressType as 'IPv4' | 'IPv6'], name: owner, ttl: this.zone.ttlSeconds, data: ready.address };
  }

  private cnameAnswer(question: DnsQuestion, target: string): DnsAnswer {
    return this.positive([{ type: 'CNAME', name: question.name, ttl: this.zone.ttlSeconds, data: target.replace(/\.$/, '') }]);
  }

  private hasNamespace(namespace: string): boolean {
    for (const key of this.lookup.serviceKeys()) if (key.startsWith(`${namespace}/`)) return true;
    return false;
  }

  /** An empty positive answer is NODATA: the name exists, without records of the type asked. */
  private positive(answers: Answer[]): DnsAnswer {
    if (answers.length === 0) return this.negative('NOERROR');
    return { rcode: 'NOERROR', authoritative: true, answers, authorities: [], additionals: [] };
  }

  /** NXDOMAIN or NODATA, with the zone's SOA so resolvers cache the negative answer for one TTL (RFC 2308). */
  private negative(rcode: 'NOERROR' | 'NXDOMAIN'): DnsAnswer {
    return { rcode, authoritative: true, answers: [], authorities: [this.soa(this.zone.zone)], additionals: [] };
  }

  private soa(owner: string): SoaAnswer {
    const ttl = this.zone.ttlSeconds;
    return {
      type: 'SOA',
      name: owner,
      ttl,
      data: {
        mname: `ns.dns.${this.zone.zone}`,
        rname: `hostmaster.${this.zone.zone}`,
        // The serial moves with the data it answers from (RFC 1982 arithmetic wraps at 2^32).
        serial: Number(this.lookup.resourceVersion % 4294967296n),
        refresh: 60,
        retry: 10,
        expire: 3600,
        minimum: ttl,
      },
    };
  }
}
