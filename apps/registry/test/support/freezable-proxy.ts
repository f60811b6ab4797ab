import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a server that can freeze: it stops forwarding bytes in both directions
 * while every socket stays open, as a server does that hangs without dropping its connections
 * (a stalled disk, a stopped VM, a network partition that drops packets). Thawing forwards what
 * queued up meanwhile, and new connections made while frozen wait too.
 */
export class FreezableProxy {
  private frozen = false;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<FreezableProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('proxy has no port');
    const proxy = new FreezableProxy(server, address.port);
    server.on('connection', (client: Socket) => proxy.pipe(client, target));
    return proxy;
  }

  private pipe(client: Socket, target: { host: string; port: number }): void {
    const upstream = connect(target.port, target.host);
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      this.sockets.add(from);
      // Paused sockets stop reading: the bytes wait in kernel buffers, nothing is lost or closed.
      if (this.frozen) from.pause();
      from.on('data', (chunk) => to.write(chunk));
      from.on('error', () => to.destroy());
      from.on('close', () => {
        this.sockets.delete(from);
        to.destroy();
      });
    }
  }

  freeze(): void {
    this.frozen = true;
    for (const socket of this.sockets) socket.pause();
  }

  thaw(): void {
    this.frozen = false;
    for (const socket of this.sockets) socket.resume();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
