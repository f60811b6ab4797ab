import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { DnsMetrics } from '../metrics/dns-metrics';
import { SliceView } from '../slice-view/slice-view';
import { DnsRecords } from './dns-records';
import { respond, type DnsTransport, type Reply } from './dns-responder';
import { DnsFrameReader } from './dns-frames';

/** RFC 7766 §6.2.3: a server closes idle TCP connections after seconds, not minutes. */
const TCP_IDLE_MS = 10_000;
const TCP_MAX_CONNECTIONS = 1000;

/**
 * DNS over UDP and TCP on HOST:DNS_PORT, answering from the slice view (so from the last change
 * this process has seen). Bound at start: a port already taken stops the process, naming DNS_PORT.
 */
@Injectable()
export class DnsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DnsServer');
  private readonly records: DnsRecords;
  private udp?: UdpSocket;
  private tcp?: Server;
  private readonly connections = new Set<Socket>();

  constructor(
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(SliceView) private readonly view: SliceView,
    @Inject(DnsMetrics) private readonly metrics: DnsMetrics,
  ) {
    this.records = new DnsRecords(config.dns, view);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, zone } = this.config.dns;
    if (port === 0) return;
    await this.view.start();
    const host = this.config.host;
    this.udp = await this.listenUdp(host, port);
    this.tcp = await this.listenTcp(host, port);
    this.logger.log({ msg: 'DNS listening', host, port, zone: `svc.${zone}`, transports: 'udp,tcp' });
    if (this.config.access.mode === 'token') {
      this.logger.warn({
        msg: 'DNS answers carry no token: anyone who reaches DNS_PORT can resolve every namespace; bind HOST or a firewall accordingly, or DNS_PORT=0',
      });
    }
  }

  /** Bytes to send back, or undefined when the packet is dropped (counted as malformed). */
  private answer(query: Buffer, transport: DnsTransport): Buffer | undefined {
    let reply: Reply;
    try {
      reply = respond(query, transport, (question) => this.records.answer(question));
    } catch {
      // respond already turns a failed answer into SERVFAIL; this is the last guard of the socket handler.
      reply = { kind: 'malformed' };
    }
    if (reply.kind === 'malformed') {
      this.metrics.malformed.inc({ transport });
      return undefined;
    }
    this.metrics.countQuery(transport, reply.type, reply.rcode);
    if (reply.truncated) this.metrics.truncated.inc({ transport });
    return reply.bytes;
  }

  private listenUdp(host: string, port: number): Promise<UdpSocket> {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    socket.on('message', (query, peer) => {
      const bytes = this.answer(query, 'udp');
      if (bytes) socket.send(bytes, peer.port, peer.address);
    });
    return new Promise((resolve, reject) => {
      socket.once('error', (error) => reject(portError('udp', host, port, error)));
      socket.bind(port, host, () => {
        socket.removeAllListeners('error');
        // After the bind, a send to a vanished peer must not take the process down.
        socket.on('error', (error) => this.logger.warn({ msg: 'DNS UDP socket error', error: error.message }));
        resolve(socket);
      });
    });
  }

  private listenTcp(host: string, port: number): Promise<Server> {
    const server = createServer((connection) => this.serveConnection(connection));
    server.maxConnections = TCP_MAX_CONNECTIONS;
    return new Promise((resolve, reject) => {
      server.once('error', (error) => reject(portError('tcp', host, port, error)));
      server.listen(port, host, () => {
        server.removeAllListeners('error');
        server.on('error', (error) => this.logger.warn({ msg: 'DNS TCP server error', error: error.message }));
        resolve(server);
      });
    });
  }

  /** Length-prefixed queries (RFC 1035 §4.2.2), several per connection, answered in order. */
  private serveConnection(connection: Socket): void {
    this.connections.add(connection);
    connection.setTimeout(TCP_IDLE_MS, () => connection.destroy());
    connection.on('error', () => connection.destroy());
    connection.on('close', () => this.connections.delete(connection));
    const frames = new DnsFrameReader();
    connection.on('data', (chunk: Buffer) => {
      for (const query of frames.push(chunk)) {
        const bytes = this.answer(query, 'tcp');
        if (bytes) connection.write(withLength(bytes));
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    for (const connection of this.connections) connection.destroy();
    await Promise.all([
      new Promise<void>((resolve) => (this.udp ? this.udp.close(() => resolve()) : resolve())),
      new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve())),
    ]);
  }
}

const withLength = (message: Buffer): Buffer => {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
};

const portError = (transport: string, host: string, port: number, error: NodeJS.ErrnoException): Error =>
  new Error(
    error.code === 'EADDRINUSE'
      ? `DNS_PORT: port ${port} on ${host} is already in use (${transport}); set DNS_PORT to a free port, or 0 to turn DNS off`
      : `DNS_PORT: cannot listen on ${host}:${port} (${transport}): ${error.message}`,
  );
