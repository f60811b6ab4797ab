import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleAssets } from './console-assets';

describe('ConsoleAssets', () => {
  it('serves the built files it knows by name, read once', () => {
    const directory = mkdtempSync(join(tmpdir(), 'console-'));
    writeFileSync(join(directory, 'index.html'), '<!doctype html>');
    writeFileSync(join(directory, 'app.js'), 'console.log(1)');
    const assets = new ConsoleAssets(directory);
    writeFileSync(join(directory, 'app.js'), 'changed on disk');
    expect(assets.get('index.html')).toBe('<!doctype html>');
    expect(assets.get('app.js')).toBe('console.log(1)');
    expect(assets.get('app.css')).toBeUndefined();
  });

  it('finds nothing when the console was not built, without failing the start', () => {
    expect(new ConsoleAssets(join(tmpdir(), 'no-such-console-build')).get('index.html')).toBeUndefined();
  });
});
