import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where `npm run build` puts the console (apps/console/build.mjs), under the package root. */
export const CONSOLE_BUILD_DIRECTORY = join('dist', 'console');

/** The file names the console build writes; nothing else is ever read from disk. */
export const CONSOLE_FILES = ['index.html', 'app.js', 'app.css'] as const;
export type ConsoleFile = (typeof CONSOLE_FILES)[number];

/** The nearest directory above `from` holding package.json: the repository, or /app in the image. */
const packageRoot = (from: string): string => {
  for (let directory = from; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json'))) return directory;
    if (dirname(directory) === directory) return from;
  }
};

/**
 * The console's built files, read once at start (a few hundred KB) and served from memory.
 * Absent (the console was not built, as with `nest start`), the registry still runs and `GET /`
 * says how to build it.
 */
export class ConsoleAssets {
  private readonly files: ReadonlyMap<ConsoleFile, string>;

  constructor(directory = join(packageRoot(__dirname), CONSOLE_BUILD_DIRECTORY)) {
    const files = new Map<ConsoleFile, string>();
    for (const name of CONSOLE_FILES) {
      const path = join(directory, name);
      if (existsSync(path)) files.set(name, readFileSync(path, 'utf8'));
    }
    this.files = files;
  }

  get(name: ConsoleFile): string | undefined {
    return this.files.get(name);
  }
}
