/** `edaguard rules` and `edaguard explain <rule>`: what each rule is for, from the schema. */
import { type Command, Option } from 'commander';
import { ConfigError } from '../errors.js';
import { unknownName } from '../policy/plainMessages.js';
import { RULE_IDS, type RuleId } from '../policy/ruleSettings.js';
import { type CliIo, renderOptions, type SetExitCode } from './io.js';

export function registerRules(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  program
    .command('rules')
    .description('list every rule: id, resource types, why it matters')
    .addOption(
      new Option('-o, --output <format>', 'table or json').choices(['table', 'json']).default('table'),
    )
    .action(async (opts: { output: string }) => {
      const { renderRules, ruleSummaries } = await import('./ruleExplain.js');
      io.stdout(
        opts.output === 'json'
          ? `${JSON.stringify(ruleSummaries(), null, 2)}\n`
          : `${renderRules(renderOptions(io, 'table').width)}\n\nedaguard explain <rule> says more.\n`,
      );
      setExitCode(0);
    });
  program
    .command('explain')
    .description('one rule: why, what it checks, how it fixes, its settings, an example policy')
    .argument('<rule>', 'a rule id (edaguard rules lists them)')
    .action(async (rule: string) => {
      if (!(RULE_IDS as readonly string[]).includes(rule))
        throw new ConfigError(unknownName('rule', rule, RULE_IDS));
      const { renderExplain } = await import('./ruleExplain.js');
      io.stdout(`${renderExplain(rule as RuleId, renderOptions(io, 'table').width)}\n`);
      setExitCode(0);
    });
}
