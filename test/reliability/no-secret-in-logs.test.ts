/**
 * No secret appears in any log line or notification, on either edge, whatever the request carried.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeAws } from '../../functions/compose';
import { makeTunnelAlarmHandler } from '../../functions/handlers';
import { composeGcp } from '../../gcp-functions/compose';
import { makeIncidentHandler } from '../../gcp-functions/handlers';
import { signLinkMessage } from '../../shared/links/message';
import { memoryLogger, redact } from '../../shared/log';
import { openSimulator } from '../../simulator';

const LINK = 'link-secret-0123456789abcdef';
const TOKEN = 'webhook-token-0123456789abcdef';
const PASSWORD = 'basic-password-0123456789abcdef';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tg-secret-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const msg = (origin: 'gcp' | 'aws', from: string, to: string) => ({
  v: 1 as const,
  id: `m-${origin}`,
  origin,
  fromTunnelId: from,
  toTunnelId: to,
  health: 'degraded' as const,
  observedAt: '2026-11-25T00:00:00Z',
  reason: 'test',
});
const GCP1 = 'gcp:example-project:asia-northeast1:tunnel-aws-1';
const AWS1 = 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11';
const links = JSON.stringify({ links: [{ gcp: GCP1, aws: AWS1 }] });

describe('no secret in any log line', () => {
  it('AWS edge: signed link messages (good and forged) leave no secret in logs or notifications', async () => {
    const file = join(dir, 'sim.json');
    const logger = memoryLogger();
    const edge = composeAws(
      { TUNNEL_GUARD_SIMULATOR: file, TUNNEL_GUARD_LINK_SECRET: LINK, TUNNEL_GUARD_CONFIG_JSON: links },
      { logger, cwd: dir },
    );
    const handler = makeTunnelAlarmHandler(edge);
    for (const key of [LINK, 'wrong-secret-wrong-secret']) {
      const env = signLinkMessage(msg('gcp', GCP1, AWS1), key);
      await handler({
        Records: [
          {
            EventSource: 'aws:sns',
            Sns: {
              Type: 'Notification',
              MessageId: key,
              TopicArn: 'arn:aws:sns:ap-northeast-1:123456789012:tg-link',
              Message: JSON.stringify(env),
              Timestamp: '2026-11-25T00:00:00.000Z',
            },
          },
        ],
      });
    }
    const everything = JSON.stringify(logger.entries) + JSON.stringify(await openSimulator(file).notifications());
    expect(logger.entries.length).toBeGreaterThan(0);
    expect(everything).not.toContain(LINK);
  });

  it('GCP edge: token, Basic password and link secret never reach a log line', async () => {
    const logger = memoryLogger();
    const edge = composeGcp(
      {
        TUNNEL_GUARD_SIMULATOR: join(dir, 'sim.json'),
        TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN,
        TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'accept',
        TUNNEL_GUARD_WEBHOOK_USERNAME: 'monitoring',
        TUNNEL_GUARD_WEBHOOK_PASSWORD: PASSWORD,
        TUNNEL_GUARD_LINK_SECRET: LINK,
        TUNNEL_GUARD_CONFIG_JSON: links,
      },
      { logger, cwd: dir },
    );
    const handler = makeIncidentHandler(() => edge);
    const res: any = { status: () => res, json: () => res, set: () => res };
    const body = Buffer.from(JSON.stringify(signLinkMessage(msg('aws', AWS1, GCP1), LINK)));
    const basic = (p: string) => `Basic ${Buffer.from(`monitoring:${p}`).toString('base64')}`;
    for (const req of [
      { query: { auth_token: TOKEN }, headers: {} },
      { query: { auth_token: `${TOKEN}x` }, headers: {} },
      { query: {}, headers: { authorization: basic(PASSWORD) } },
      { query: {}, headers: { authorization: basic(`${PASSWORD}x`) } },
    ]) {
      await handler(
        { method: 'POST', rawBody: body, body: undefined, ...req, headers: { 'content-type': 'application/json', ...req.headers } } as any,
        res,
      );
    }
    const everything = JSON.stringify(logger.entries);
    expect(logger.entries.length).toBeGreaterThanOrEqual(4);
    for (const s of [LINK, TOKEN, PASSWORD, Buffer.from(`monitoring:${PASSWORD}`).toString('base64')]) expect(everything).not.toContain(s);
  });

  it('the JSON logger redacts secret-looking keys wherever they are nested', () => {
    expect(redact({ a: { authToken: 'x', list: [{ password: 'y' }] }, signature: 'z', ok: 1 })).toEqual({
      a: { authToken: '[redacted]', list: [{ password: '[redacted]' }] },
      signature: '[redacted]',
      ok: 1,
    });
  });
});
