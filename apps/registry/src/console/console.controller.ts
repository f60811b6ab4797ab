import { Controller, Get, Header, Inject, NotFoundException } from '@nestjs/common';
import { ConsoleAssets, type ConsoleFile } from './console-assets';

// Only this host: the console makes no request anywhere else (its build inlines everything),
// and the browser enforces it. `'self'` covers ws:// and wss:// to the same host.
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/**
 * The web console: static files, public like any login page; every piece of data it shows comes
 * through /graphql with the token it was given. Returned as strings, so the controller does not
 * depend on the HTTP platform.
 */
@Controller()
export class ConsoleController {
  constructor(@Inject(ConsoleAssets) private readonly assets: ConsoleAssets) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @Header('content-security-policy', CONTENT_SECURITY_POLICY)
  @Header('x-content-type-options', 'nosniff')
  index(): string {
    return this.file('index.html');
  }

  @Get('console/app.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @Header('x-content-type-options', 'nosniff')
  script(): string {
    return this.file('app.js');
  }

  @Get('console/app.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @Header('x-content-type-options', 'nosniff')
  stylesheet(): string {
    return this.file('app.css');
  }

  private file(name: ConsoleFile): string {
    const content = this.assets.get(name);
    if (content === undefined) throw new NotFoundException(`the console is not built: run \`npm run build\` (${name} missing)`);
    return content;
  }
}
