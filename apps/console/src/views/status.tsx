import type { Connection, RegistryStatus } from '../live-registry';

const CONNECTION_TEXT: Record<Connection, string> = { loading: 'loading…', live: 'live', resyncing: 'reconnecting…' };

/** Like Eureka's self-preservation notice: while it shows, lapsed leases are not being expired. */
export const LeaseProtectionBanner = ({ status }: { status: RegistryStatus | undefined }) =>
  status?.leaseProtection.active ? (
    <div class="banner" role="alert" data-testid="lease-protection">
      <strong>Lease protection is active</strong> since {formatTime(status.leaseProtection.since)}: many leases lapsed at once, so the registry
      holds their expiry back ({status.leaseProtection.pendingExpirations} pending). Endpoints whose heartbeats stopped may still be listed as ready.
      An admin can end it with <code>releaseLeaseProtection</code>.
    </div>
  ) : null;

export const StatusLine = ({ status, connection, resourceVersion }: { status: RegistryStatus | undefined; connection: Connection; resourceVersion: string | undefined }) => (
  <div class="status-line" data-testid="status-line">
    <span class={`connection ${connection}`} data-testid="connection">
      {CONNECTION_TEXT[connection]}
    </span>
    <span>resourceVersion {resourceVersion ?? '—'}</span>
    <span>projector lag {status === undefined ? '—' : status.projectorLag < 0 ? 'unknown (log unreachable)' : `${status.projectorLag} events`}</span>
  </div>
);

export const formatTime = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : '—');
