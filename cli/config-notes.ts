/**
 * What each configuration key means, for the JSON Schema `tunnel-guard init` writes: editors show these as the
 * key's description (a JSON file cannot hold comments). A test checks every key of the schema has a note, so a new
 * knob cannot arrive undocumented here.
 */
export const CONFIG_NOTES: Record<string, string> = {
  policy: 'The guards and how changes are made; every knob may also be set by TUNNEL_GUARD_<KNOB> (docs/configuration.md).',
  'policy.minHealthyPaths': 'Never black-hole: after a drain every destination keeps at least this many healthy paths.',
  'policy.maxDrainedTunnels': 'Blast radius: at most this many tunnels of a cloud out of service at once.',
  'policy.maxDrainedFraction': 'Blast radius: at most this fraction of a cloud’s tunnels out of service at once.',
  'policy.restoreHoldDownSeconds': 'Continuous health from every monitor needed before a drained tunnel is restored.',
  'policy.maxFlaps': 'More drains than this within flapWindowSeconds: the tunnel stays drained until `tunnel-guard release`.',
  'policy.flapWindowSeconds': 'The window in which drains are counted for flap damping.',
  'policy.dryRun': 'Compute, log and notify the plan; change neither the cloud nor the ledger.',
  'policy.scope': 'Tunnel ids (globs, * matches anything) tunnel-guard may touch; `tunnel-guard discover` proposes them.',
  'policy.exclude': 'Tunnel ids (globs) never touched, even when scope matches.',
  'policy.concurrency': 'Cloud writes in flight at once.',
  'policy.retryAttempts': 'Attempts for a transient cloud error (after the SDK’s own retries).',
  'policy.retryBaseMs': 'First back-off between attempts (exponential, full jitter).',
  'policy.retryMaxMs': 'Longest back-off between attempts.',
  'policy.drainMode': 'deprefer: make a path worse where the cloud has a preference (make-before-break); withdraw: always remove.',
  'policy.lossMaxAgeSeconds': 'Loss figures older than this no longer describe a tunnel (a drained tunnel’s traffic monitors fall silent).',
  'policy.lossBetterFactor': 'A tunnel counts as less lossy than another only when its loss is at most 1/factor of it…',
  'policy.lossBetterMargin': '…and lower by at least this loss ratio (0.005 = half a percentage point): similar tunnels never ping-pong.',
  'policy.awsTunnelCapacityPps':
    'Packets per second an AWS tunnel carries (sent + received) where no figure is read: AWS documents up to 140,000.',
  'policy.gcpTunnelCapacityPps':
    'Packets per second a GCP Cloud VPN tunnel carries (sent + received) where no figure is read: GCP documents 250,000.',
  alarmTunnels: 'CloudWatch alarm name → tunnel id, for alarms without AWS/VPN dimensions.',
  policyTunnels: 'GCP alert policy name → tunnel id, for notifications without the tunnel label.',
  links:
    'Both ends of each IPsec tunnel: {gcp, aws} ids; the GCP tunnel’s peerIp must be the AWS outside IP (`tunnel-guard doctor` checks it).',
};
