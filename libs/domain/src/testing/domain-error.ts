import { DomainError } from '../errors';

/** The DomainError `run` throws; fails the test if it throws nothing or something else. */
export const domainErrorOf = (run: () => unknown): DomainError => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
};
