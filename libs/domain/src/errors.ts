export type DomainErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT';

/** The only error the domain throws: which input field broke which rule. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`);
    this.name = 'DomainError';
  }
}

export const assertNever = (value: never): never => {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
};
