import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, graphql, graphqlOk } from '@lib/testing';
import { freePort, ROOT } from './support/built-processes';

/**
 * Issue 21: a fresh checkout runs `npm run dev`, a resolver is edited, and the change is served
 * without a manual restart. The sources are copied to a temporary directory (node_modules is a
 * symlink) so that the edit and the watch compiler never touch this checkout or its dist/.
 */
const COPIED = ['apps', 'libs', 'migrations', 'tools', 'package.json', 'nest-cli.json', 'tsconfig.json', 'tsconfig.build.json'];
const FIRST_BOOT_MS = 240_000;
const RESTART_MS = 120_000;

const DESCRIPTIONS = '{ __schema { queryType { fields { description } } mutationType { fields { description } } } }';
interface Descriptions {
  __schema: { queryType: { fields: { description: string | null }[] }; mutationType: { fields: { description: string | null }[] } };
}
const describedAs = async (url: string, marker: string): Promise<boolean> => {
  const { data } = await graphql<Descriptions>(url, DESCRIPTIONS);
  return [...(data?.__schema.queryType.fields ?? []), ...(data?.__schema.mutationType.fields ?? [])].some((f) => f.description?.includes(marker));
};

/** The first `@Query`/`@Mutation` description of a resolver: any one will do, the test only needs to change it. */
const DECORATOR_DESCRIPTION = /(@(?:Query|Mutation)\(.*?description: ')([^']*)(')/;
const editOneResolverDescription = (srcDir: string, marker: string): string => {
  const files = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.resolver.ts')).sort();
  for (const file of files) {
    const path = join(srcDir, file);
    const source = readFileSync(path, 'utf8');
    if (!DECORATOR_DESCRIPTION.test(source)) continue;
    writeFileSync(path, source.replace(DECORATOR_DESCRIPTION, `$1$2 ${marker}$3`));
    return file;
  }
  throw new Error(`no resolver under ${srcDir} has a @Query or @Mutation description to edit`);
};

describe('npm run dev: the embedded registry rebuilt and restarted on every source change', () => {
  let workDir: string;
  let dev: ChildProcess | undefined;
  let log = '';

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'registry-dev-loop-'));
    for (const entry of COPIED) cpSync(join(ROOT, entry), join(workDir, entry), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(workDir, 'node_modules'), 'dir');
  });

  afterAll(async () => {
    if (dev?.pid !== undefined && dev.exitCode === null) {
      const exited = new Promise((resolve) => dev?.once('exit', resolve));
      // npm, the Nest CLI and the app share one process group: end all of them.
      process.kill(-dev.pid, 'SIGTERM');
      const timer = setTimeout(() => dev?.pid !== undefined && process.kill(-dev.pid, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(workDir, { recursive: true, force: true });
  }, 30_000);

  it('serves an edited resolver without a manual restart, keeping DATA_DIR', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DNS_PORT: '0', DATA_DIR: join(workDir, 'data') };
    delete env.AUTH_MODE;
    delete env.HOST;
    // `npm run dev` clears DATABASE_URL and KAFKA_BROKERS itself: leave them as the caller has them.
    dev = spawn('npm', ['run', 'dev'], { cwd: workDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    dev.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    dev.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const failWithLog = (what: string) => new Error(`${what}; npm run dev said:\n${log.split('\n').slice(-40).join('\n')}`);

    await eventually(async () => {
      if (dev?.exitCode !== null) throw failWithLog('npm run dev exited');
      await graphqlOk(url, '{ __typename }');
    }, FIRST_BOOT_MS, 500).catch((error: Error) => {
      throw failWithLog(`not serving: ${error.message}`);
    });
    expect(log).toContain('mode:    embedded');
    await graphqlOk(url, 'mutation { registerService(input: { name: "kept", ports: [{ port: 80 }] }) { resourceVersion } }');

    const marker = `dev-loop-${Date.now().toString(36)}`;
    expect(await describedAs(url, marker)).toBe(false);
    const edited = editOneResolverDescription(join(workDir, 'apps/registry/src'), marker);
    const editedAt = Date.now();
    await eventually(async () => {
      if (!(await describedAs(url, marker).catch(() => false))) throw new Error(`the edit of ${edited} is not served yet`);
    }, RESTART_MS, 250).catch((error: Error) => {
      throw failWithLog(error.message);
    });
    process.stdout.write(`dev loop: edit of ${edited} served after ${Date.now() - editedAt} ms\n`);

    // The restarted process reopened the same DATA_DIR.
    const after = await graphqlOk<{ service: { name: string } | null }>(url, '{ service(name: "kept") { name } }');
    expect(after.service).toEqual({ name: 'kept' });
  }, FIRST_BOOT_MS + RESTART_MS + 30_000);
});
