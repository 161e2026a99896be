/** `edaguard graph`: the DLQ graph of what the policies select (source → DLQ → alarm); never writes. */
import { type Command, Option } from 'commander';
import { GRAPH_FORMATS, type GraphFormat, graphJson, renderGraph } from './graphFormat.js';
import { type CliIo, commandCallCounter, commandSettings, EXIT, type SetExitCode } from './io.js';

interface GraphOptions {
  policies: string;
  format: GraphFormat;
  output: string;
}

export function registerGraph(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  program
    .command('graph')
    .description('read the account and show its DLQ graph: source → DLQ → alarm; never writes')
    .requiredOption('-p, --policies <dir>', 'policy directory')
    .addOption(
      new Option('--format <format>', 'table, mermaid or dot').choices([...GRAPH_FORMATS]).default('table'),
    )
    .addOption(
      new Option('-o, --output <format>', 'text (per --format) or json')
        .choices(['text', 'json'])
        .default('text'),
    )
    .action(async (opts: GraphOptions, cmd: Command) => {
      // Loaded when the command runs: `--help` and the other commands never load discovery or the SDK.
      const { createAwsClients } = await import('../aws/clients.js');
      const { loadPolicyDir } = await import('../policy/loader.js');
      const { discoverAndPlan } = await import('../cycle.js');
      const { readEdaguardAlarms } = await import('../discovery/cloudwatch.js');
      const { buildDlqGraph } = await import('../reconcile/dlqGraph.js');
      const { settings, logger } = commandSettings(io, cmd);
      const policySet = await loadPolicyDir(opts.policies);
      const aws = createAwsClients(settings, commandCallCounter(io));
      try {
        // The same read-only discovery as `plan`; edaguard's alarms are read even when no
        // policy's rule needs them, so that the ALARM column is true.
        const { inventory } = await discoverAndPlan(policySet, aws, { settings, logger });
        const alarms = inventory.alarms ?? (await readEdaguardAlarms(aws.cloudwatch));
        const graph = buildDlqGraph({ ...inventory, alarms });
        io.stdout(`${opts.output === 'json' ? graphJson(graph) : renderGraph(graph, opts.format)}\n`);
        setExitCode(EXIT.ok);
      } finally {
        aws.destroy();
      }
    });
}
