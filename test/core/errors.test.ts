import { CorruptStateError, InputError, LedgerConflictError, PermanentError, TransientError, shouldRetry } from '../../shared/errors';

describe('what a retry would do: one rule for both edges', () => {
  it.each([
    ['throttling or a 5xx', new TransientError('RequestLimitExceeded'), true],
    ['a conditional write lost to another writer', new LedgerConflictError('aws:t1', 1, 2), true],
    ['an error no adapter classified (idempotent: another delivery is safe)', new Error('socket hang up'), true],
    ['a thrown non-error', 'boom', true],
    ['a permanent error (permission, invalid definition)', new PermanentError('UnauthorizedOperation'), false],
    ['bad input', new InputError('not an alarm'), false],
    ['a corrupt ledger file', new CorruptStateError('ledger file is not JSON'), false],
    ['a bug: reading a field of undefined', new TypeError("Cannot read properties of undefined (reading 'state')"), false],
    ['a bug: a name that does not exist', new ReferenceError('recrod is not defined'), false],
    ['a bug: an invalid length or date', new RangeError('Invalid time value'), false],
    ['a network failure reported by fetch as a TypeError', new TypeError('fetch failed', { cause: new Error('ECONNRESET') }), true],
    [
      'a socket error carried as the cause of a TypeError',
      new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }),
      true,
    ],
  ])('%s → retry: %s', (_what, e, retry) => {
    expect(shouldRetry(e)).toBe(retry);
  });
});
