/**
 * `tunnel-guard completion bash|zsh`: a completion script built from the registered commands and options, so it
 * cannot fall behind them. zsh reuses the bash function through bashcompinit.
 */
import type { Command } from 'commander';
import { HEALTHS } from '../../shared/types';
import { EXIT, UsageError } from '../io';
import type { Register } from '../session';

const EXAMPLES = `
Examples:
  source <(tunnel-guard completion bash)                       # this shell
  tunnel-guard completion bash > /etc/bash_completion.d/tunnel-guard
  echo 'source <(tunnel-guard completion zsh)' >> ~/.zshrc
`;

const flagsOf = (c: Command) => c.options.flatMap((o) => [o.short, o.long].filter((x): x is string => !!x));

/** Values of options and arguments worth offering. */
const VALUES: Record<string, string> = { '-o': 'table wide json', '--output': 'table wide json', '--target': 'simulator clouds' };

export function bashCompletion(program: Command): string {
  const top = program.commands.map((c) => c.name());
  const cases = program.commands.map((c) => {
    const words = [...c.commands.map((x) => x.name()), ...flagsOf(c), '--help'];
    if (c.name() === 'signal') words.push(...HEALTHS);
    if (c.name() === 'completion') words.push('bash', 'zsh');
    return `    ${c.name()}) words="${words.join(' ')}" ;;`;
  });
  const values = Object.entries(VALUES).map(([flag, v]) => `    ${flag}) COMPREPLY=($(compgen -W "${v}" -- "$cur")); return ;;`);
  return `# tunnel-guard completion (bash). Load it with: source <(tunnel-guard completion bash)
_tunnel_guard() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" words i
  case "$prev" in
${values.join('\n')}
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      --target) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$cmd" in
    "") words="${[...top, ...flagsOf(program), '--help'].join(' ')}" ;;
${cases.join('\n')}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _tunnel_guard tunnel-guard
`;
}

export const completion: Register = (program, s) => {
  program
    .command('completion <shell>')
    .description('print a shell completion script (bash or zsh)')
    .addHelpText('after', EXAMPLES)
    .action(
      s.act(async (shell: string) => {
        if (shell === 'bash') s.io.stdout(bashCompletion(program));
        else if (shell === 'zsh')
          s.io.stdout(
            `# tunnel-guard completion (zsh), through bash's\nautoload -U +X bashcompinit && bashcompinit\n${bashCompletion(program)}`,
          );
        else throw new UsageError(`completion ${JSON.stringify(shell)}: bash or zsh`);
        return EXIT.ok;
      }),
    );
};
