/**
 * A fake of IAM's `SimulatePrincipalPolicy` (moto does not implement it), over the AWS Query protocol the real
 * `@aws-sdk/client-iam` speaks: form-encoded `POST /` with `Action=…&PolicySourceArn=…&ActionNames.member.N=…`,
 * XML answers in the shape of https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class IamQueryFake {
  /** role ARN → actions its policies allow (every resource). */
  allowed = new Map<string, Set<string>>();
  readonly calls: Record<string, string>[] = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
      this.calls.push(params);
      const xml = (status: number, body: string) => {
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(body);
      };
      if (params.Action !== 'SimulatePrincipalPolicy') {
        return xml(
          400,
          `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>not faked: ${params.Action}</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
        );
      }
      const role = params.PolicySourceArn ?? '';
      const grants = this.allowed.get(role);
      if (!grants) {
        return xml(
          404,
          `<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name ${role.split('/').pop()} cannot be found.</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
        );
      }
      const actions = Object.entries(params)
        .filter(([k]) => /^ActionNames\.member\.\d+$/.test(k))
        .map(([, v]) => v);
      const resource = params['ResourceArns.member.1'] ?? '*';
      const members = actions
        .map(
          (a) =>
            `<member><EvalActionName>${a}</EvalActionName><EvalResourceName>${resource}</EvalResourceName><EvalDecision>${grants.has(a) ? 'allowed' : 'implicitDeny'}</EvalDecision><MatchedStatements/><MissingContextValues/></member>`,
        )
        .join('');
      xml(
        200,
        `<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>${members}</EvaluationResults></SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>`,
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections?.();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
