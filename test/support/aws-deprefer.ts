/**
 * The incident's AWS routes once tunnel-guard has de-preferred vpn-…0001 (one of its tunnels drained): its own routes
 * stay as standbys, and vpn-…0002 holds both halves of each prefix, which AWS prefers. As `connection:prefix`, sorted.
 */
export const AWS_ROUTES_WITH_VPN1_DEPREFERRED = [
  'vpn-0a1b2c3d4e5f60001:10.240.0.0/16',
  'vpn-0a1b2c3d4e5f60001:192.168.1.0/24',
  'vpn-0a1b2c3d4e5f60002:10.240.0.0/16',
  'vpn-0a1b2c3d4e5f60002:10.240.0.0/17',
  'vpn-0a1b2c3d4e5f60002:10.240.128.0/17',
  'vpn-0a1b2c3d4e5f60002:192.168.1.0/24',
  'vpn-0a1b2c3d4e5f60002:192.168.1.0/25',
  'vpn-0a1b2c3d4e5f60002:192.168.1.128/25',
];
