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
  ])('%s → retry: %s', (_what, e, retry) => {
    expect(shouldRetry(e)).toBe(retry);
  });
});
