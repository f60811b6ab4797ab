import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { promisify } from 'node:util';

export interface TlsProxy {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  /** The self-signed certificate, to pass as the clients' certificate authority. */
  readonly caFile: string;
  close(): Promise<void>;
}

/**
 * A TLS terminator in front of the registry, as an ingress would be: kubectl and client-node send
 * a bearer token only over HTTPS (client-go's clientcmd drops credentials for an http:// server).
 */
export const startTlsProxy = async (target: string): Promise<TlsProxy> => {
  const dir = mkdtempSync(join(tmpdir(), 'registry-tls-'));
  const [keyFile, caFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', caFile,
  ]);
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) }, (client) => {
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => client.destroy());
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caFile,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
};
