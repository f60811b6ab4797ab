import { DomainError, parseLabelSelector, type LabelSelector } from '@lib/domain';
import { decodeCursor, type PageCursor } from '@lib/persistence';

export const MAX_PAGE_SIZE = 1000;
/** `first` when a list does not say. */
export const DEFAULT_PAGE_SIZE = 100;

export interface ListArguments {
  readonly namespaces?: readonly string[];
  readonly selector?: LabelSelector;
  readonly first: number;
  readonly after?: PageCursor;
}

/** Validates the arguments every list shares: namespace, labelSelector, first, after. */
export const parseListArguments = (args: {
  /** Already validated and authorized (AccessService.readScope); undefined: every namespace. */
  namespaces: readonly string[] | undefined;
  labelSelector?: string | null;
  first: number;
  after?: string | null;
}): ListArguments => {
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE_SIZE) {
    throw new DomainError('BAD_USER_INPUT', 'first', `must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return {
    namespaces: args.namespaces,
    selector: args.labelSelector ? parseLabelSelector(args.labelSelector) : undefined,
    first: args.first,
    after: args.after ? decodeCursor(args.after) : undefined,
  };
};
