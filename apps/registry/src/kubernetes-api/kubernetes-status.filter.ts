import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { toKubernetesStatus } from './kubernetes-status';

/** Every failure of the Kubernetes API and Prometheus discovery routes answers a Status object. */
@Catch()
export class KubernetesStatusFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    // A watch already streaming reports its own failures as ERROR events.
    if (response.headersSent) return void response.end();
    const status = toKubernetesStatus(exception);
    const retryAfter = status.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') response.setHeader('Retry-After', String(retryAfter));
    response.status(status.code).json(status);
  }
}
