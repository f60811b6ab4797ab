import { AppendOutcomeUnknownError, LogUnavailableError, RecordTooLargeError } from '@lib/messaging';
import { STALLED_SERVER_MESSAGE } from '@lib/persistence';
import { GraphQLError } from 'graphql';
import { formatError } from './format-error';

const format = (error: Error, mutation = 'registerEndpoint') =>
  formatError(new GraphQLError(error.message, { path: [mutation], originalError: error }).toJSON(), new GraphQLError(error.message, { path: [mutation], originalError: error }));

const pgError = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('formatError: append outcomes and Postgres timeouts', () => {
  it('refuses an oversized command as the caller\'s input, naming the argument and the limit', () => {
    const error = new RecordTooLargeError(1_234_567, 1_048_576);

    expect(format(error, 'registerEndpoints')).toMatchObject({
      extensions: {
        code: 'BAD_USER_INPUT',
        field: 'inputs',
        rule: "the events of this command encode to 1,234,567 bytes; the broker's record limit is 1,048,576 bytes (KAFKA_MAX_RECORD_BYTES)",
      },
    });
    expect(format(error, 'registerService').extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input' });
  });

  it('answers an append of unknown outcome UNAVAILABLE with outcome UNKNOWN and the command id', () => {
    expect(format(new AppendOutcomeUnknownError('timed out after it was sent', 'command-7')).extensions).toEqual({
      code: 'UNAVAILABLE',
      outcome: 'UNKNOWN',
      commandId: 'command-7',
    });
    expect(format(new LogUnavailableError('withdrawn before it was sent')).extensions).toEqual({ code: 'UNAVAILABLE' });
  });

  it.each([
    ['the client-side query timeout', pgError('Query read timeout')],
    ['the pool connect timeout', pgError('timeout exceeded when trying to connect')],
    ['statement_timeout', pgError('canceling statement due to statement timeout', '57014')],
    ['lock_timeout', pgError('canceling statement due to lock timeout', '55P03')],
    ['idle_in_transaction_session_timeout', pgError('terminating connection due to idle-in-transaction timeout', '25P03')],
    ['a connection closed after a timeout', pgError('Connection terminated unexpectedly')],
    ['the pool while Postgres is known not to answer', pgError(STALLED_SERVER_MESSAGE)],
  ])('answers UNAVAILABLE for %s', (_, error) => {
    expect(format(error).extensions).toEqual({ code: 'UNAVAILABLE' });
  });
});
