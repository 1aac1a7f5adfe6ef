/**
 * What a retry would do with an AWS SDK error: transient errors make Lambda (or the executor) try again,
 * permanent ones are reported once and left to a human. Shapes as the SDK v3 throws them (`name`, `$fault`,
 * `$metadata.httpStatusCode`) and as Node's network layer does (`code`).
 */
import { awsErrorCode, isTransientAwsError, translateAwsError } from '../../functions/adapters/aws-errors';
import { PermanentError, TransientError } from '../../shared/errors';

/** An SDK-like error: the SDK sets `name` to the AWS error code. */
const sdk = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} message`), { name, $fault: 'client', $metadata: { httpStatusCode: 400 }, ...extra });

describe('AWS error classification', () => {
  it.each([
    'RequestLimitExceeded',
    'Throttling',
    'ThrottlingException',
    'TooManyRequestsException',
    'ProvisionedThroughputExceededException',
    'RequestThrottledException',
    'ThrottledException',
    'SlowDown',
    'InternalError',
    'InternalFailure',
    'ServiceUnavailable',
    'Unavailable',
    'RequestTimeout',
    'RequestTimeoutException',
    'TimeoutError',
  ])('%s (a client-fault 400) is transient: throttling or a server-side failure', (name) => {
    expect(isTransientAwsError(sdk(name))).toBe(true);
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND'])('a network error %s is transient', (code) => {
    expect(isTransientAwsError(Object.assign(new Error('socket'), { code }))).toBe(true);
  });

  it.each([
    ['a server fault', { $fault: 'server' }],
    ['HTTP 500', { $metadata: { httpStatusCode: 500 } }],
    ['HTTP 503', { $metadata: { httpStatusCode: 503 } }],
    ['HTTP 429', { $metadata: { httpStatusCode: 429 } }],
  ])('an unknown code with %s is transient', (_what, extra) => {
    expect(isTransientAwsError(sdk('SomethingNew', extra))).toBe(true);
  });

  it.each([
    ['a validation error', sdk('InvalidParameterValue')],
    ['a missing permission', sdk('UnauthorizedOperation', { $metadata: { httpStatusCode: 403 } })],
    ['a missing resource', sdk('InvalidRoute.NotFound')],
    ['HTTP 499 (below 500, not 429)', sdk('SomethingNew', { $metadata: { httpStatusCode: 499 } })],
    ['HTTP 428', sdk('SomethingNew', { $metadata: { httpStatusCode: 428 } })],
    ['no status at all', Object.assign(new Error('x'), { name: 'SomethingNew' })],
    ['an unknown network code', Object.assign(new Error('x'), { code: 'EWHATEVER' })],
    ['a string', 'Throttling'],
    ['null', null],
    ['undefined', undefined],
  ])('%s is permanent', (_what, e) => {
    expect(isTransientAwsError(e)).toBe(false);
  });

  it('our own TransientError stays transient', () => {
    expect(isTransientAwsError(new TransientError('x'))).toBe(true);
  });

  it('the error code is the SDK name, else the Node code, else nothing', () => {
    expect(awsErrorCode(sdk('InvalidRoute.NotFound'))).toBe('InvalidRoute.NotFound');
    expect(awsErrorCode({ code: 'ECONNRESET' })).toBe('ECONNRESET');
    expect(awsErrorCode({ name: 'A', code: 'B' })).toBe('A');
    expect(awsErrorCode({})).toBeUndefined();
    expect(awsErrorCode(null)).toBeUndefined();
    expect(awsErrorCode('Throttling')).toBeUndefined();
  });
});

describe('translateAwsError', () => {
  it('wraps a throttle as TransientError naming the operation and code, keeping the cause', () => {
    const cause = sdk('RequestLimitExceeded');
    const e = translateAwsError(cause, 'DeleteVpnConnectionRoute vpn-1:10.0.0.0/16');
    expect(e).toBeInstanceOf(TransientError);
    expect(e.message).toBe('DeleteVpnConnectionRoute vpn-1:10.0.0.0/16 failed: RequestLimitExceeded: RequestLimitExceeded message');
    expect(e.cause).toBe(cause);
  });

  it('wraps a permission error as PermanentError', () => {
    const cause = sdk('UnauthorizedOperation');
    const e = translateAwsError(cause, 'ReplaceTransitGatewayRoute');
    expect(e).toBeInstanceOf(PermanentError);
    expect(e).not.toBeInstanceOf(TransientError);
    expect(e.message).toBe('ReplaceTransitGatewayRoute failed: UnauthorizedOperation: UnauthorizedOperation message');
    expect(e.cause).toBe(cause);
  });

  it('passes our own classified errors through unchanged', () => {
    const t = new TransientError('already transient');
    const p = new PermanentError('already permanent');
    expect(translateAwsError(t, 'op')).toBe(t);
    expect(translateAwsError(p, 'op')).toBe(p);
  });

  it('describes a thrown non-Error by its string form, with the code "Error"', () => {
    const e = translateAwsError('boom', 'op');
    expect(e).toBeInstanceOf(PermanentError);
    expect(e.message).toBe('op failed: Error: boom');
  });
});
