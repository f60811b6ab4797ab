import { useState } from 'preact/hooks';
import { filterSummaries, namespacesOf, type ServicePort, type ServiceSummary } from '../registry-state';
import { serviceHref } from '../route';
import { TableHead } from './table-head';

export const formatPort = (port: ServicePort): string =>
  `${port.name ? `${port.name} ` : ''}${port.port}${port.targetPort !== null && port.targetPort !== port.port ? `→${port.targetPort}` : ''}/${port.protocol}`;

/** Every service the token can read: ports, ready/total endpoints, slices; searchable. */
export const ServiceList = ({ summaries }: { summaries: readonly ServiceSummary[] }) => {
  const [search, setSearch] = useState('');
  const [namespace, setNamespace] = useState('');
  const shown = filterSummaries(summaries, namespace, search);
  return (
    <section>
      <div class="filters">
        <input type="search" placeholder="Search services, namespaces, ports" aria-label="Search" value={search} onInput={(event) => setSearch(event.currentTarget.value)} />
        <select aria-label="Namespace" value={namespace} onChange={(event) => setNamespace(event.currentTarget.value)}>
          <option value="">all namespaces</option>
          {namespacesOf(summaries).map((ns) => (
            <option key={ns} value={ns}>
              {ns}
            </option>
          ))}
        </select>
        <span class="count">
          {shown.length} of {summaries.length} services
        </span>
      </div>
      <table data-testid="services">
        <TableHead columns={['Namespace', 'Service', 'Ports', 'Ready', 'Slices']} />
        <tbody>
          {shown.map((summary) => (
            <tr key={`${summary.namespace}/${summary.name}`} data-service={`${summary.namespace}/${summary.name}`}>
              <td>{summary.namespace}</td>
              <td>
                <a href={serviceHref(summary.namespace, summary.name)}>{summary.name}</a>
              </td>
              <td>{summary.ports.map(formatPort).join(', ')}</td>
              <td class={summary.ready < summary.total ? 'degraded' : undefined} data-testid="ready">
                {summary.ready}/{summary.total}
              </td>
              <td>{summary.slices}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {summaries.length === 0 ? <p class="empty">No services yet: register one with the <code>registerService</code> mutation.</p> : null}
    </section>
  );
};
