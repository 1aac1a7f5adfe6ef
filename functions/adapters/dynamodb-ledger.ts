/**
 * `Ledger` on a DynamoDB table (key `tunnelId`). Every write is conditional on the version read
 * (`attribute_not_exists(tunnelId) OR version = :v`), so a second writer fails with `LedgerConflictError`
 * instead of overwriting state. The record is stored as JSON in `record` (withdrawn route definitions are
 * nested and schemaless); `version`, `state`, `cloud` and `updatedAt` are top-level for humans and queries.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CorruptStateError, LedgerConflictError } from '../../shared/errors';
import type { Ledger, LedgerScan, UnreadableRecord } from '../../shared/ports';
import type { LedgerRecord } from '../../shared/types';
import { translateAwsError } from './aws-errors';

type Item = Record<string, AttributeValue>;

function fromItem(item: Item): LedgerRecord {
  const tunnelId = item.tunnelId?.S;
  try {
    const record = JSON.parse(item.record?.S ?? '') as LedgerRecord;
    const version = Number(item.version?.N);
    if (!tunnelId || record.tunnelId !== tunnelId || !Number.isInteger(version)) throw new Error('fields do not match');
    return { ...record, version };
  } catch (e) {
    throw new CorruptStateError(`ledger item ${tunnelId ?? '(no tunnelId)'} cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export class DynamoDbLedger implements Ledger {
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(tunnelId: string): Promise<LedgerRecord | undefined> {
    try {
      const r = await this.ddb.send(
        new GetItemCommand({ TableName: this.tableName, Key: { tunnelId: { S: tunnelId } }, ConsistentRead: true }),
      );
      return r.Item ? fromItem(r.Item) : undefined;
    } catch (e) {
      if (e instanceof CorruptStateError) throw e;
      throw translateAwsError(e, `GetItem ${this.tableName}/${tunnelId}`);
    }
  }

  async list(): Promise<LedgerRecord[]> {
    return (await this.scan()).records;
  }

  /** Every item; one that cannot be read is named in `unreadable`, never a reason to stop reading the others. */
  async scan(): Promise<LedgerScan> {
    const records: LedgerRecord[] = [];
    const unreadable: UnreadableRecord[] = [];
    let ExclusiveStartKey: Item | undefined;
    try {
      do {
        const r = await this.ddb.send(new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey }));
        for (const item of r.Items ?? []) {
          try {
            records.push(fromItem(item));
          } catch (e) {
            if (!(e instanceof CorruptStateError)) throw e;
            unreadable.push({ tunnelId: item.tunnelId?.S ?? '(no tunnelId)', problem: e.message });
          }
        }
        ExclusiveStartKey = r.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    } catch (e) {
      throw translateAwsError(e, `Scan ${this.tableName}`);
    }
    return { records: records.sort((a, b) => a.tunnelId.localeCompare(b.tunnelId)), unreadable };
  }

  async put(record: LedgerRecord): Promise<LedgerRecord> {
    const stored: LedgerRecord = { ...structuredClone(record), version: record.version + 1 };
    try {
      await this.ddb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            tunnelId: { S: record.tunnelId },
            version: { N: String(stored.version) },
            cloud: { S: record.cloud },
            state: { S: record.state },
            ...(record.updatedAt ? { updatedAt: { S: record.updatedAt } } : {}),
            record: { S: JSON.stringify(stored) },
          },
          // Version 0 means "must not exist"; any other version must match exactly — a missing item is then a
          // conflict too (someone deleted it), never silently re-created from a stale copy.
          ...(record.version === 0
            ? { ConditionExpression: 'attribute_not_exists(tunnelId)' }
            : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': { N: String(record.version) } } }),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException || (e as { name?: string }).name === 'ConditionalCheckFailedException') {
        const actual = (e as ConditionalCheckFailedException).Item?.version?.N;
        throw new LedgerConflictError(
          record.tunnelId,
          record.version,
          actual === undefined ? await this.versionOf(record.tunnelId) : Number(actual),
        );
      }
      throw translateAwsError(e, `PutItem ${this.tableName}/${record.tunnelId}`);
    }
    return stored;
  }

  private async versionOf(tunnelId: string): Promise<number | undefined> {
    try {
      return (await this.get(tunnelId))?.version;
    } catch {
      return undefined;
    }
  }
}
