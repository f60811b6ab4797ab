import { Inject, Injectable } from '@nestjs/common';
import { MetricsSources } from '@lib/health';
import { Series } from './prometheus-text';

/** Query types that get their own label value; anything else is counted as OTHER, so the label set stays bounded. */
const NAMED_TYPES = new Set(['A', 'AAAA', 'SRV', 'CNAME', 'ANY', 'SOA', 'NS', 'PTR', 'TXT', 'MX', 'NONE']);

export const toQueryTypeLabel = (type: string): string => (NAMED_TYPES.has(type) ? type : 'OTHER');

/** The DNS server's counters on /metrics. */
@Injectable()
export class DnsMetrics {
  readonly queries = new Series('registry_dns_queries_total', 'DNS queries answered, by transport, query type and response code.', 'counter');
  readonly truncated = new Series('registry_dns_truncated_total', 'UDP answers sent with TC set (the client asks again over TCP).', 'counter');
  readonly malformed = new Series('registry_dns_malformed_packets_total', 'DNS packets dropped unanswered: undecodable, or not a query.', 'counter');

  constructor(@Inject(MetricsSources) sources: MetricsSources) {
    for (const transport of ['udp', 'tcp']) this.malformed.add(0, { transport });
    this.truncated.add(0, { transport: 'udp' });
    sources.add(() => this.render());
  }

  countQuery(transport: string, type: string, rcode: string): void {
    this.queries.inc({ transport, type: toQueryTypeLabel(type), rcode });
  }

  render(): string {
    return [this.queries, this.truncated, this.malformed].map((metric) => metric.render()).join('');
  }
}
