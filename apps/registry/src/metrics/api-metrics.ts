import { Inject, Injectable } from '@nestjs/common';
import { MetricsSources } from '@lib/health';
import { Histogram, Series } from './prometheus-text';

export type Transport = 'http' | 'ws';

/** Prometheus' default buckets: a mutation waits for its projection, so seconds matter as much as milliseconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Error codes become label values: anything that does not look like one of our codes is folded
 * into OTHER, so a label set can never grow with the input.
 */
export const toCodeLabel = (code: unknown): string => (typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,39}$/.test(code) ? code : 'OTHER');

/** The API's front door on /metrics: request latency and outcome, WebSockets, watches, refusals. */
@Injectable()
export class ApiMetrics {
  readonly requestDuration = new Histogram(
    'registry_http_request_duration_seconds',
    'HTTP requests by route, GraphQL operation type (other: not /graphql) and outcome code (OK or extensions.code).',
    DURATION_BUCKETS,
  );
  readonly wsConnections = new Series('registry_graphql_ws_connections', 'Open graphql-ws connections (acknowledged).', 'gauge');
  readonly watchSubscribers = new Series('registry_watch_subscribers', 'Open slice watches on this instance.', 'gauge');
  readonly watchEventsSent = new Series('registry_watch_events_sent_total', 'Watch events handed to subscribers.', 'counter');
  readonly rateLimited = new Series('registry_rate_limited_total', 'Requests and operations refused with RATE_LIMITED, by transport.', 'counter');
  readonly authRefusals = new Series('registry_auth_refusals_total', 'Requests and operations refused with UNAUTHENTICATED or FORBIDDEN.', 'counter');

  constructor(@Inject(MetricsSources) sources: MetricsSources) {
    // Every label set of the refusal counters exists from the start, so rate() sees the first one.
    for (const transport of ['http', 'ws'] as const) {
      this.rateLimited.add(0, { transport });
      for (const code of ['UNAUTHENTICATED', 'FORBIDDEN']) this.authRefusals.add(0, { transport, code });
    }
    sources.add(() => this.render());
  }

  /** One refusal per code per response, however many of its fields were refused. */
  countRefusals(codes: readonly string[], transport: Transport): void {
    for (const code of new Set(codes)) {
      if (code === 'RATE_LIMITED') this.rateLimited.inc({ transport });
      else if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') this.authRefusals.inc({ transport, code });
    }
  }

  render(): string {
    return [this.requestDuration, this.wsConnections, this.watchSubscribers, this.watchEventsSent, this.rateLimited, this.authRefusals]
      .map((metric) => metric.render())
      .join('');
  }
}
