#!/usr/bin/env node
/**
 * The programs `npm test` needs from outside node_modules, checked before anything else runs (it is the `pretest`
 * script, so `npm ci && npm test` on a fresh machine either passes or stops here with the one line that fixes it):
 *
 * - Chromium, for the tests that render pictures in a real browser. playwright-core drives it and must not download
 *   a browser of its own, so it is Debian's package at /usr/bin/chromium (or any Chromium/Chrome named by
 *   CHROMIUM_PATH). When it is missing and this user may install without a password (root, or `sudo -n`), it is
 *   installed with `apt-get install -y chromium`; TUNNEL_GUARD_NO_INSTALL=1 forbids that, and then a missing
 *   Chromium fails with the command to run.
 * - `moto_server` (the AWS adapter tests' emulator) and `cfn-lint` (validates the packaged CloudFormation template):
 *   Python tools that neither npm nor Debian ship, so they are only checked, and a missing one fails with the
 *   `pip install` line.
 *
 * `CI` only makes the install quieter. Everything the module does to the machine goes through `sys`, so the test
 * drives it without a package manager.
 */
const { spawnSync } = require('node:child_process');
const { accessSync, constants } = require('node:fs');

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

const PYTHON_TOOLS = [
  { cmd: 'moto_server', why: 'the AWS adapter tests start it as their emulator', install: 'pip install "moto[server]"' },
  { cmd: 'cfn-lint', why: 'it validates the CloudFormation template `serverless package` writes', install: 'pip install cfn-lint' },
];

/** The real machine. */
const realSystem = {
  isExecutable(path) {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  onPath: (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0,
  uid: () => (typeof process.getuid === 'function' ? process.getuid() : -1),
  /** Runs a command with the output shown (an install takes a while; silence would look like a hang). */
  run: (argv) => spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] }).status ?? 1,
  quietly: (argv) => spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' }).status ?? 1,
};

/** How this user may run apt-get without being asked for a password: [] as root, ['sudo', '-n'] or undefined. */
function privilege(sys) {
  if (sys.uid() === 0) return [];
  if (sys.onPath('sudo') && sys.quietly(['sudo', '-n', 'true']) === 0) return ['sudo', '-n'];
  return undefined;
}

/** Installs Debian's Chromium if allowed; returns a failure message, or undefined when Chromium is there. */
function ensureChromium(env, sys, log) {
  const path = env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  if (sys.isExecutable(path)) return undefined;
  const instruction = 'sudo apt-get install -y chromium   (or set CHROMIUM_PATH to a Chromium or Chrome binary)';
  if (env.CHROMIUM_PATH) return `Chromium: CHROMIUM_PATH=${path} is not an executable file`;
  const no = env.TUNNEL_GUARD_NO_INSTALL;
  if (no && no !== '0' && no !== 'false')
    return `Chromium is not installed at ${path} (the browser tests need it) and TUNNEL_GUARD_NO_INSTALL forbids installing it: ${instruction}`;
  if (!sys.onPath('apt-get'))
    return `Chromium is not installed at ${path} (the browser tests need it), and there is no apt-get here: ${instruction}`;
  const as = privilege(sys);
  if (!as) return `Chromium is not installed at ${path} (the browser tests need it), and installing needs a password: ${instruction}`;
  log(`Chromium is not installed: installing Debian's package (${[...as, 'apt-get', 'install', '-y', 'chromium'].join(' ')}) …`);
  const quiet = env.CI ? ['-qq'] : ['-q'];
  // A fresh machine may have no package lists yet: update first. `env` carries the frontend through sudo.
  const steps = [
    [...as, 'apt-get', 'update', ...quiet],
    [...as, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', ...quiet, 'chromium'],
  ];
  for (const argv of steps) {
    if (sys.run(argv) !== 0) return `Chromium: \`${argv.join(' ')}\` failed; install it by hand: ${instruction}`;
  }
  return sys.isExecutable(path) ? undefined : `Chromium: apt-get finished but ${path} is still missing: ${instruction}`;
}

/** Every missing prerequisite, as one message each (after installing what may be installed). */
function check(env, sys, log) {
  const problems = [];
  const chromium = ensureChromium(env, sys, log);
  if (chromium) problems.push(chromium);
  for (const t of PYTHON_TOOLS) {
    if (!sys.onPath(t.cmd)) problems.push(`${t.cmd} is not on PATH (${t.why}): ${t.install}`);
  }
  return problems;
}

function main(env = process.env, sys = realSystem, io = { log: (s) => console.error(s) }) {
  const problems = check(env, sys, io.log);
  if (problems.length === 0) return 0;
  io.log('npm test cannot run here yet — missing:');
  for (const p of problems) io.log(`  - ${p}`);
  io.log('(README "What a laptop needs" lists them all.)');
  return 1;
}

module.exports = { check, ensureChromium, main, DEFAULT_CHROMIUM };

if (require.main === module) process.exitCode = main();
