import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer, Packet, Question } from 'dns-packet';
import type { DnsAnswer, DnsQuestion, DnsRcode } from './dns-records';

export type DnsTransport = 'udp' | 'tcp';

export type Reply =
  | { readonly kind: 'reply'; readonly bytes: Buffer; readonly type: string; readonly rcode: DnsRcode | 'BADVERS'; readonly truncated: boolean }
  /** Not a DNS query we can answer (undecodable, or a response): dropped without a word. */
  | { readonly kind: 'malformed' };

/** Without EDNS0 a UDP answer is at most 512 bytes (RFC 1035); what we announce we accept ourselves (DNS flag day 2020). */
const CLASSIC_UDP_SIZE = 512;
const OUR_UDP_SIZE = 1232;
/** A spoofed query of 60 bytes gets at most this back: the amplification a reflector offers stays bounded. */
const MAX_UDP_SIZE = 4096;
const TCP_SIZE = 65535;

const RCODE_VALUES: Readonly<Record<DnsRcode, number>> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };

const isOpt = (record: Answer): record is OptAnswer => record.type === 'OPT';

const EMPTY: DnsAnswer = { rcode: 'NOERROR', authoritative: false, answers: [], authorities: [], additionals: [] };

/**
 * One query in, one answer out, as bytes: header flags, EDNS0 and the size limit of the transport.
 * Over UDP an answer larger than the client accepts first loses additional records (which needs no
 * TC), then, if the answer section alone is too big, goes out empty with TC so the client asks
 * again over TCP (RFC 2181 §9). Over TCP the answer section always goes out whole, but additional
 * records beyond the EDNS0 size the client announced are left out too: some clients (HAProxy) size
 * their receive buffer by it over TCP as well, and resolve the SRV targets themselves.
 */
export const respond = (query: Buffer, transport: DnsTransport, answer: (question: DnsQuestion) => DnsAnswer): Reply => {
  let decoded: DecodedPacket;
  try {
    decoded = dnsPacket.decode(query);
  } catch {
    return { kind: 'malformed' };
  }
  if (decoded.type !== 'query' || decoded.flag_qr) return { kind: 'malformed' };
  const opt = (decoded.additionals ?? []).find(isOpt);
  const questions = decoded.questions ?? [];
  const type = questions[0]?.type ?? 'NONE';
  const header = { id: decoded.id ?? 0, questions, recursionDesired: decoded.flag_rd, opt: opt !== undefined };

  if (opt && opt.ednsVersion !== 0) {
    // BADVERS (16) is an extended rcode: its upper bits travel in the OPT record (RFC 6891 §6.1.3).
    const bytes = encode(header, { ...EMPTY, rcode: 'NOERROR' }, { extendedRcode: 1 });
    return { kind: 'reply', bytes, type, rcode: 'BADVERS', truncated: false };
  }
  const opcode = (decoded as DecodedPacket & { opcode?: string }).opcode;
  const announced = Math.max(CLASSIC_UDP_SIZE, opt?.udpPayloadSize ?? CLASSIC_UDP_SIZE);
  const limit = transport === 'udp' ? Math.min(MAX_UDP_SIZE, announced) : opt ? Math.min(TCP_SIZE, announced) : TCP_SIZE;
  try {
    const result: DnsAnswer =
      opcode !== 'QUERY'
        ? { ...EMPTY, rcode: 'NOTIMP' }
        : questions.length !== 1
          ? { ...EMPTY, rcode: 'FORMERR' }
          : questions[0].class !== undefined && questions[0].class !== 'IN'
            ? { ...EMPTY, rcode: 'REFUSED' }
            : answer(questions[0]);
    const fitted = fit(header, result, limit, transport);
    return { kind: 'reply', bytes: encode(header, fitted.answer, { truncated: fitted.truncated }), type, rcode: result.rcode, truncated: fitted.truncated };
  } catch {
    // A record the encoder refuses (a name over 255 bytes, say) fails this answer, never the server.
    return { kind: 'reply', bytes: encode(header, { ...EMPTY, rcode: 'SERVFAIL' }, {}), type, rcode: 'SERVFAIL', truncated: false };
  }
};

interface Header {
  readonly id: number;
  readonly questions: Question[];
  readonly recursionDesired: boolean;
  readonly opt: boolean;
}

const toPacket = (header: Header, answer: DnsAnswer, extra: { truncated?: boolean; extendedRcode?: number } = {}): Packet => {
  const flags =
    (answer.authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
    (header.recursionDesired ? dnsPacket.RECURSION_DESIRED : 0) |
    (extra.truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) |
    RCODE_VALUES[answer.rcode];
  const opt: OptAnswer[] = header.opt
    ? [{ type: 'OPT', name: '.', udpPayloadSize: OUR_UDP_SIZE, extendedRcode: extra.extendedRcode ?? 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
    : [];
  return {
    type: 'response',
    id: header.id,
    flags,
    questions: header.questions,
    answers: answer.answers,
    authorities: answer.authorities,
    additionals: [...answer.additionals, ...opt],
  };
};

/** dns-packet writes any name it is given; a name over 253 characters or a label over 63 would go out unreadable. */
const isEncodableName = (name: string): boolean => {
  const text = name.replace(/\.$/, '');
  return text.length <= 253 && text.split('.').every((label) => label.length <= 63);
};

const assertEncodable = (records: readonly Answer[]): void => {
  for (const record of records) {
    const names = [record.name, record.type === 'CNAME' ? record.data : record.type === 'SRV' ? record.data.target : ''];
    if (!names.every(isEncodableName)) throw new Error(`record ${record.type} ${record.name}: a name longer than DNS allows`);
  }
};

const encode = (header: Header, answer: DnsAnswer, extra: { truncated?: boolean; extendedRcode?: number }): Buffer => {
  assertEncodable([...answer.answers, ...answer.authorities, ...answer.additionals]);
  return dnsPacket.encode(toPacket(header, answer, extra));
};

const fits = (header: Header, answer: DnsAnswer, limit: number): boolean => dnsPacket.encodingLength(toPacket(header, answer)) <= limit;

/** The largest answer within `limit`: all of it, or fewer additional records, or (over UDP) nothing but TC. */
const fit = (header: Header, answer: DnsAnswer, limit: number, transport: DnsTransport): { answer: DnsAnswer; truncated: boolean } => {
  if (fits(header, answer, limit)) return { answer, truncated: false };
  const bare = { ...answer, additionals: [] };
  if (!fits(header, bare, limit)) {
    return transport === 'udp' ? { answer: { ...answer, answers: [], authorities: [], additionals: [] }, truncated: true } : { answer: bare, truncated: false };
  }
  // Binary search for the most additional records that still fit (they are optional, RFC 2181 §9).
  let low = 0;
  let high = answer.additionals.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(header, { ...answer, additionals: answer.additionals.slice(0, middle) }, limit)) low = middle;
    else high = middle - 1;
  }
  return { answer: { ...answer, additionals: answer.additionals.slice(0, low) }, truncated: false };
};
