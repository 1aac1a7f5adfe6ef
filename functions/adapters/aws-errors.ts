/**
 * Classify AWS SDK errors by what a retry would do. The SDK has already retried
 * (its default retry strategy is the first layer); what still fails here is either worth another try later
 * (throttling, 5xx, network) or not (validation, permissions, missing resources).
 */
import { PermanentError, TransientError } from '../../shared/errors';

const THROTTLING = new Set([
  'RequestLimitExceeded', // EC2 Query API
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException', // DynamoDB
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
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);

interface SdkLike {
  name?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

/** The AWS error code (`InvalidRoute.NotFound`, `RequestLimitExceeded`, ...) or undefined. */
export const awsErrorCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null ? ((e as SdkLike).name ?? (e as SdkLike).code) : undefined;

/** True when a retry later may succeed. */
export function isTransientAwsError(e: unknown): boolean {
  if (e instanceof TransientError) return true;
  if (typeof e !== 'object' || e === null) return false;
  const s = e as SdkLike;
  const status = s.$metadata?.httpStatusCode;
  return (
    THROTTLING.has(s.name ?? '') ||
    NETWORK.has(s.code ?? '') ||
    s.$fault === 'server' ||
    (status !== undefined && (status >= 500 || status === 429))
  );
}

/** Wrap an SDK error as `TransientError` or `PermanentError`, keeping the cause and naming the operation. */
export function translateAwsError(e: unknown, operation: string): TransientError | PermanentError {
  if (e instanceof TransientError || e instanceof PermanentError) return e;
  const code = awsErrorCode(e) ?? 'Error';
  const message = `${operation} failed: ${code}: ${e instanceof Error ? e.message : String(e)}`;
  return isTransientAwsError(e) ? new TransientError(message, { cause: e }) : new PermanentError(message, { cause: e });
}
