import * as dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import type { DnsAnswer } from './dns-records';
import { DnsFrameReader } from './dns-frames';
import { respond } from './dns-responder';

const query = (name: string, type: string, extra: Partial<Packet> = {}): Buffer =>
  dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A' }], ...extra });
const withEdns = (udpPayloadSize: number, ednsVersion = 0): Partial<Packet> => ({
  additionals: [{ type: 'OPT', name: '.', udpPayloadSize, ednsVersion, extendedRcode: 0, flags: 0, flag_do: false, options: [] }],
});

const aRecords = (count: number): Answer[] =>
  Array.from({ length: count }, (_, i) => ({ type: 'A' as const, name: 'web.shop.svc.cluster.local', ttl: 5, data: `10.0.${Math.floor(i / 250)}.${i % 250}` }));
const answering = (answers: Answer[], additionals: Answer[] = []) => (): DnsAnswer => ({ rcode: 'NOERROR', authoritative: true, answers, authorities: [], additionals });

const decodeReply = (reply: ReturnType<typeof respond>) => {
  if (reply.kind !== 'reply') throw new Error(`expected a reply, got ${reply.kind}`);
  return { reply, packet: dnsPacket.decode(reply.bytes) as ReturnType<typeof dnsPacket.decode> & { rcode: string } };
};

describe('respond', () => {
  it('answers with the query’s id and question, AA, RD echoed, and the rcode', () => {
    const { reply, packet } = decodeReply(respond(query('web.shop.svc.cluster.local', 'A'), 'udp', answering(aRecords(2))));
    expect(reply).toMatchObject({ type: 'A', rcode: 'NOERROR', truncated: false });
    expect(packet).toMatchObject({ id: 4242, type: 'response', flag_aa: true, flag_rd: true, flag_tc: false, rcode: 'NOERROR' });
    expect(packet.questions).toEqual([{ name: 'web.shop.svc.cluster.local', type: 'A', class: 'IN' }]);
    expect(packet.answers).toHaveLength(2);
  });

  it.each([
    ['garbage', Buffer.from('not a dns packet at all')],
    ['an empty datagram', Buffer.alloc(0)],
    ['a header cut short', query('web.shop.svc.cluster.local', 'A').subarray(0, 7)],
    ['a question cut short', query('web.shop.svc.cluster.local', 'A').subarray(0, 20)],
    ['a response', dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: 'x.cluster.local', type: 'A' }] })],
  ])('drops %s as malformed', (_, bytes) => {
    expect(respond(bytes, 'udp', answering([]))).toEqual({ kind: 'malformed' });
  });

  it('FORMERR for a query without exactly one question, NOTIMP for another opcode', () => {
    expect(decodeReply(respond(dnsPacket.encode({ type: 'query', id: 1, questions: [] }), 'udp', answering([]))).packet.rcode).toBe('FORMERR');
    const update = query('web.shop.svc.cluster.local', 'A');
    update.writeUInt16BE(update.readUInt16BE(2) | (5 << 11), 2); // opcode UPDATE
    expect(decodeReply(respond(update, 'udp', answering([]))).packet.rcode).toBe('NOTIMP');
  });

  it('sets TC over UDP when the answer exceeds 512 bytes without EDNS0, and answers in full over TCP', () => {
    const answer = answering(aRecords(60));
    const udp = decodeReply(respond(query('web.shop.svc.cluster.local', 'A'), 'udp', answer));
    expect(udp.reply.truncated).toBe(true);
    expect(udp.packet.flag_tc).toBe(true);
    expect(udp.packet.answers).toEqual([]);
    expect(udp.reply.bytes.length).toBeLessThanOrEqual(512);

    const tcp = decodeReply(respond(query('web.shop.svc.cluster.local', 'A'), 'tcp', answer));
    expect(tcp.packet.flag_tc).toBe(false);
    expect(tcp.packet.answers).toHaveLength(60);
  });

  it('honours the EDNS0 size the client announces, and answers with an OPT record of its own', () => {
    const answer = answering(aRecords(60));
    const big = decodeReply(respond(query('web.shop.svc.cluster.local', 'A', withEdns(4096)), 'udp', answer));
    expect(big.packet.flag_tc).toBe(false);
    expect(big.packet.answers).toHaveLength(60);
    expect(big.packet.additionals).toMatchObject([{ type: 'OPT', udpPayloadSize: 1232 }]);

    const small = decodeReply(respond(query('web.shop.svc.cluster.local', 'A', withEdns(600)), 'udp', answer));
    expect(small.packet.flag_tc).toBe(true);
    expect(small.reply.bytes.length).toBeLessThanOrEqual(600);
    // More than 4096 is not sent over UDP, whatever the client announces.
    const huge = decodeReply(respond(query('web.shop.svc.cluster.local', 'A', withEdns(65000)), 'udp', answering(aRecords(200))));
    expect(huge.packet.flag_tc).toBe(true);
    // An announced size below 512 still gets the classic 512 (8 records: about 400 bytes).
    const tiny = decodeReply(respond(query('web.shop.svc.cluster.local', 'A', withEdns(100)), 'udp', answering(aRecords(8))));
    expect(tiny.packet.flag_tc).toBe(false);
  });

  it('drops additional records that do not fit before truncating the answer, without TC', () => {
    const srv: Answer[] = [{ type: 'SRV', name: '_http._tcp.web.shop.svc.cluster.local', ttl: 5, data: { priority: 0, weight: 100, port: 80, target: 'a.web.shop.svc.cluster.local' } }];
    const { reply, packet } = decodeReply(respond(query('_http._tcp.web.shop.svc.cluster.local', 'SRV'), 'udp', answering(srv, aRecords(40))));
    expect(reply.truncated).toBe(false);
    expect(packet.answers).toHaveLength(1);
    expect(packet.additionals?.length).toBeGreaterThan(0);
    expect(packet.additionals?.length).toBeLessThan(40);
    expect(reply.bytes.length).toBeLessThanOrEqual(512);
  });

  it('answers SERVFAIL when the answer cannot be encoded, instead of failing the server', () => {
    const tooLong: Answer[] = [{ type: 'CNAME', name: 'web.shop.svc.cluster.local', ttl: 5, data: `${'a'.repeat(63)}.`.repeat(5) + 'example' }];
    const { reply, packet } = decodeReply(respond(query('web.shop.svc.cluster.local', 'A'), 'udp', answering(tooLong)));
    expect(reply.rcode).toBe('SERVFAIL');
    expect(packet.rcode).toBe('SERVFAIL');
    const throwing = () => {
      throw new Error('lookup failed');
    };
    expect(decodeReply(respond(query('web.shop.svc.cluster.local', 'A'), 'tcp', throwing)).packet.rcode).toBe('SERVFAIL');
  });

  it('over TCP sends every answer record, and leaves out the additional records beyond the EDNS0 size announced', () => {
    const srv: Answer[] = Array.from({ length: 20 }, (_, i) => ({
      type: 'SRV' as const,
      name: '_http._tcp.web.shop.svc.cluster.local',
      ttl: 5,
      data: { priority: 0, weight: 5, port: 80, target: `t${i}.web.shop.svc.cluster.local` },
    }));
    const question = query('_http._tcp.web.shop.svc.cluster.local', 'SRV', withEdns(1232));
    const { reply, packet } = decodeReply(respond(question, 'tcp', answering(srv, aRecords(40))));
    expect(reply.truncated).toBe(false);
    expect(packet.answers).toHaveLength(20);
    expect(packet.additionals?.filter((r) => r.type === 'A')).toHaveLength(0);
    const withoutEdns = decodeReply(respond(query('_http._tcp.web.shop.svc.cluster.local', 'SRV'), 'tcp', answering(srv, aRecords(40))));
    expect(withoutEdns.packet.additionals).toHaveLength(40);
  });

  it('answers BADVERS to an EDNS version it does not speak', () => {
    const { reply, packet } = decodeReply(respond(query('web.shop.svc.cluster.local', 'A', withEdns(1232, 1)), 'udp', answering(aRecords(1))));
    expect(reply.rcode).toBe('BADVERS');
    expect(packet.answers).toEqual([]);
    expect(packet.additionals).toMatchObject([{ type: 'OPT', extendedRcode: 1 }]);
  });
});

describe('DnsFrameReader', () => {
  it('splits length-prefixed messages arriving in pieces or together', () => {
    const framed = (text: string) => Buffer.concat([Buffer.from([0, text.length]), Buffer.from(text)]);
    const reader = new DnsFrameReader();
    const stream = Buffer.concat([framed('one'), framed('two'), framed('three')]);
    expect(reader.push(stream.subarray(0, 4)).map(String)).toEqual([]);
    expect(reader.push(stream.subarray(4, 12)).map(String)).toEqual(['one', 'two']);
    expect(reader.push(stream.subarray(12)).map(String)).toEqual(['three']);
    expect(reader.push(Buffer.alloc(0))).toEqual([]);
  });
});
