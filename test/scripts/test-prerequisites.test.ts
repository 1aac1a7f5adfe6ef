/**
 * scripts/test-prerequisites.js — what `npm test` checks and installs first — driven with a fake machine (no package
 * manager is touched). The real run on a machine without Chromium is described in docs/testing.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { check, main } = require('../../scripts/test-prerequisites.js');

interface Machine {
  uid?: number;
  commands?: string[];
  files?: string[];
  sudoWithoutPassword?: boolean;
  /** apt-get install puts /usr/bin/chromium in place (false: it "succeeds" without it). */
  aptWorks?: boolean;
}

function fakeSystem(m: Machine) {
  const files = new Set(m.files ?? []);
  const commands = new Set(m.commands ?? ['apt-get', 'moto_server', 'cfn-lint']);
  const ran: string[][] = [];
  return {
    ran,
    sys: {
      isExecutable: (p: string) => files.has(p),
      onPath: (c: string) => commands.has(c),
      uid: () => m.uid ?? 0,
      quietly: (argv: string[]) => (argv.join(' ') === 'sudo -n true' && m.sudoWithoutPassword ? 0 : 1),
      run: (argv: string[]) => {
        ran.push(argv);
        if (argv.includes('install') && m.aptWorks !== false) files.add('/usr/bin/chromium');
        return 0;
      },
    },
  };
}

const logs: string[] = [];
const log = (s: string) => logs.push(s);
beforeEach(() => logs.splice(0));

it('changes nothing when Chromium, moto_server and cfn-lint are all there', () => {
  const m = fakeSystem({ files: ['/usr/bin/chromium'] });
  expect(check({}, m.sys, log)).toEqual([]);
  expect(m.ran).toEqual([]);
});

it("installs Debian's Chromium as root when it is missing (package lists first: a fresh machine may have none)", () => {
  const m = fakeSystem({ uid: 0 });
  expect(check({}, m.sys, log)).toEqual([]);
  expect(m.ran).toEqual([
    ['apt-get', 'update', '-q'],
    ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-q', 'chromium'],
  ]);
});

it('installs through sudo -n for a user with passwordless sudo, quietly under CI', () => {
  const m = fakeSystem({ uid: 1000, commands: ['apt-get', 'sudo', 'moto_server', 'cfn-lint'], sudoWithoutPassword: true });
  expect(check({ CI: 'true' }, m.sys, log)).toEqual([]);
  expect(m.ran.map((a) => a.slice(0, 2))).toEqual([
    ['sudo', '-n'],
    ['sudo', '-n'],
  ]);
  expect(m.ran[1]).toContain('-qq');
});

it.each([
  ['a password would be needed', { uid: 1000, commands: ['apt-get', 'sudo', 'moto_server', 'cfn-lint'] }, {}, /needs a password/],
  ['there is no apt-get', { uid: 0, commands: ['moto_server', 'cfn-lint'] }, {}, /no apt-get/],
  ['TUNNEL_GUARD_NO_INSTALL=1 forbids it', { uid: 0 }, { TUNNEL_GUARD_NO_INSTALL: '1' }, /forbids installing/],
])('does not install, and says the one command to run, when %s', (_why, machine, env, reason) => {
  const m = fakeSystem(machine);
  const problems = check(env, m.sys, log);
  expect(m.ran).toEqual([]);
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(reason);
  expect(problems[0]).toMatch(/apt-get install -y chromium/);
});

it('uses CHROMIUM_PATH instead (a laptop Chrome), and never installs over a wrong one', () => {
  expect(check({ CHROMIUM_PATH: '/opt/chrome' }, fakeSystem({ files: ['/opt/chrome'] }).sys, log)).toEqual([]);
  const m = fakeSystem({ uid: 0 });
  expect(check({ CHROMIUM_PATH: '/opt/none' }, m.sys, log)).toEqual(['Chromium: CHROMIUM_PATH=/opt/none is not an executable file']);
  expect(m.ran).toEqual([]);
});

it('fails when apt-get claims success but no Chromium appeared', () => {
  expect(check({}, fakeSystem({ uid: 0, aptWorks: false }).sys, log)[0]).toMatch(/still missing/);
});

it('checks moto_server and cfn-lint (Python tools: never installed, the pip line is printed) and exits 1 listing everything', () => {
  const m = fakeSystem({ uid: 0, commands: ['apt-get'], files: ['/usr/bin/chromium'] });
  expect(main({}, m.sys, { log })).toBe(1);
  expect(logs.join('\n')).toMatch(/moto_server is not on PATH .*pip install "moto\[server\]"/);
  expect(logs.join('\n')).toMatch(/cfn-lint is not on PATH .*pip install cfn-lint/);
});

it('is what npm test runs first, and what .ci/run relies on', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require('../../package.json');
  expect(pkg.scripts.pretest).toBe('node scripts/test-prerequisites.js');
  const ci = readFileSync(join(__dirname, '../../.ci/run'), 'utf8');
  expect(ci).toMatch(/^npm test /m);
  expect(ci).not.toMatch(/apt-get|command -v/); // no second, diverging copy of the checks
});
