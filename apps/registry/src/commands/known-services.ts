import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { StoredService } from '@lib/persistence';
import { ProjectionSignal } from './projection-signal';

/** The most services one replica keeps; the least recently read goes first. */
const MAX_KNOWN_SERVICES = 10_000;

/**
 * The services this API replica read for its decisions, kept while LISTEN hears every commit and
 * which services each one redefined, so a command that needs only its service's definition is
 * decided without a read. Their resourceVersions and last commands are those of the read: a
 * precondition is always decided on a fresh read.
 */
@Injectable()
export class KnownServices implements OnModuleInit {
  private readonly services = new Map<string, StoredService>();
  /** Counts redefinitions heard: a read may keep what it found if none of its services was redefined since it started. */
  private heard = 0;
  private forgotAllAt = 0;
  private readonly redefinedAt = new Map<string, number>();

  constructor(@Inject(ProjectionSignal) private readonly signal: ProjectionSignal) {}

  onModuleInit(): void {
    this.signal.onRedefined((keys) => this.forget(keys));
  }

  get(key: string): StoredService | undefined {
    return this.services.get(key);
  }

  /** Marks the start of a read whose services may be kept (see `keep`). */
  readStarts(): number {
    return this.heard;
  }

  /** Keeps the services a read found, unless one was redefined (or all forgotten) after the read started. */
  keep(found: ReadonlyMap<string, StoredService>, readStartedAt: number): void {
    if (!this.signal.hearsEveryCommit || this.forgotAllAt > readStartedAt) return;
    for (const [key, service] of found) {
      if ((this.redefinedAt.get(key) ?? 0) > readStartedAt) continue;
      this.services.delete(key);
      this.services.set(key, service);
    }
    for (const key of this.services.keys()) {
      if (this.services.size <= MAX_KNOWN_SERVICES) break;
      this.services.delete(key);
    }
  }

  private forget(keys: readonly string[] | undefined): void {
    this.heard += 1;
    if (keys === undefined || this.redefinedAt.size + keys.length > MAX_KNOWN_SERVICES) {
      this.services.clear();
      this.redefinedAt.clear();
      this.forgotAllAt = this.heard;
      return;
    }
    for (const key of keys) {
      this.services.delete(key);
      this.redefinedAt.set(key, this.heard);
    }
  }
}
