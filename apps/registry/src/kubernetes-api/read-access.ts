import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';

/** Who reads, and the namespaces the read may touch (undefined: all). */
export interface ReadScope {
  readonly principal: Principal;
  readonly namespaces?: readonly string[];
}

/**
 * The one place the Kubernetes API and Prometheus discovery meet access control: the same guard
 * as GraphQL (bearer token, RATE_LIMIT_PER_SECOND on the verified principal or the client
 * address, one bucket across transports) and the namespace read scopes.
 */
@Injectable()
export class ReadAccess {
  constructor(@Inject(AccessService) private readonly access: AccessService) {}

  async authorize(request: Request, namespace: string | undefined): Promise<ReadScope> {
    const principal = await this.access.authenticate(request.headers.authorization, request.ip);
    return { principal, namespaces: this.access.readScope(principal, namespace) };
  }
}
