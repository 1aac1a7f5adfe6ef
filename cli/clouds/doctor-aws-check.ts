/** One AWS doctor check's result, and what the checks share as they run in order. */
import type { Env } from '../../config/source';
import type { Config } from '../../shared/policy';
import type { TunnelStatus } from '../../shared/types';
import type { VpnConnectionInfo } from '../../functions/adapters/vpn-inventory';
import type { DoctorCheck } from '../seat';
import type { boundedAwsConfig } from './bounded';

export const awsCheck = (name: string, status: DoctorCheck['status'], detail: string, fix?: string): DoctorCheck => ({
  cloud: 'aws',
  name,
  status,
  detail,
  ...(fix ? { fix } : {}),
});

/** Filled in as the checks run: the VPN connections check reads the tunnels the alarm checks look at. */
export interface AwsDoctorContext {
  env: Env;
  region: string;
  config: Config;
  sdk: ReturnType<typeof boundedAwsConfig>;
  /** `TUNNEL_GUARD_AWS_VPN_IDS`, as the function reads it. */
  vpnIds: string[];
  callerArn: string;
  tunnels: TunnelStatus[];
  connections: VpnConnectionInfo[];
}

/** A named check. `gate`: when it fails, the later checks would fail the same way, so they are not run. */
export interface AwsDoctorCheck {
  name: string;
  gate?: boolean;
  run(c: AwsDoctorContext): Promise<DoctorCheck[]>;
}
