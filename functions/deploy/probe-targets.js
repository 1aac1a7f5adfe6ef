// The probe routes' /32 targets for the Lambda's environment (TUNNEL_GUARD_AWS_PROBE_TARGETS), from the same
// `probes` setting as the probe resources, so the two can never disagree.

const { probeTargets } = require('./probes');

module.exports = async ({ resolveVariable }) => probeTargets(await resolveVariable('self:custom.tunnelGuard.probes'));
