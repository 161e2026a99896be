/**
 * The deployment artefacts, checked against the code: the ECS template passes cfn-lint and grants
 * the lease exactly what it calls; the EKS manifests render (kubectl kustomize) and probe the
 * routes the server serves, on the port it listens on; the config and policies they ship are
 * valid; the Dockerfile builds a non-root, production-only image with a health check.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml, type Tags } from 'yaml';
import { parseConfigFile } from '../../../src/config/file.js';
import { resolveServiceSettings } from '../../../src/config/service.js';
import { parsePolicySources } from '../../../src/policy/loader.js';
import { ROUTES } from '../../../src/runtime/httpServer.js';
import { sdkOperationsReachedBy } from '../../support/sdkOperations.js';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const file = (relative: string) => path.join(REPO_ROOT, relative);
const read = (relative: string) => readFileSync(file(relative), 'utf8');
const available = (command: string, args: string[]) => {
  const out = spawnSync(command, args, { encoding: 'utf8' });
  return out.error === undefined && out.status === 0;
};
const HAS_CFN_LINT = available('cfn-lint', ['--version']);
const HAS_KUBECTL = available('kubectl', ['version', '--client']);

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML documents are untyped
type Doc = any;

/** CloudFormation's short-form intrinsics, as their long form. */
const CFN_TAGS: Tags = [
  'Ref',
  'Sub',
  'GetAtt',
  'Not',
  'Equals',
  'If',
  'Join',
  'Select',
  'Split',
  'ImportValue',
  'FindInMap',
  'Base64',
  'Condition',
  'GetAZs',
  'And',
  'Or',
].flatMap((name) =>
  (['scalar', 'seq', 'map'] as const).map((collection) => ({
    tag: `!${name}`,
    collection: collection === 'scalar' ? undefined : collection,
    // A collection arrives as its YAML node: its plain JSON is what CloudFormation sees.
    resolve: (value: { toJSON?: () => unknown }) => ({
      [name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`]: value?.toJSON ? value.toJSON() : value,
    }),
  })),
) as unknown as Tags;

/**
 * The state table's DynamoDB commands (leases, replica heartbeats, fix history, notification
 * state), from the source: what the task role must grant.
 */
async function stateTableActions(): Promise<string[]> {
  const actions = new Set<string>();
  for (const source of [
    'src/runtime/leaseCommands.ts',
    'src/runtime/stateTable.ts',
    'src/runtime/replicaHeartbeats.ts',
    'src/runtime/targetShards.ts',
    'src/state/fixHistory.ts',
    'src/notify/tableStateStore.ts',
  ]) {
    for (const op of await sdkOperationsReachedBy(file(source)))
      if (op.startsWith('dynamodb:')) actions.add(op);
  }
  // Only with --create-state-table, never in production (the template creates the table).
  actions.delete('dynamodb:CreateTable');
  return [...actions].sort();
}

describe('deploy/ecs/edaguard.yaml (CloudFormation)', () => {
  const template = parseYaml(read('deploy/ecs/edaguard.yaml'), { customTags: CFN_TAGS }) as Doc;

  it.skipIf(!HAS_CFN_LINT)('passes cfn-lint (skipped only when cfn-lint is not installed)', () => {
    const out = spawnSync('cfn-lint', ['--format', 'parseable', file('deploy/ecs/edaguard.yaml')], {
      encoding: 'utf8',
    });
    expect(out.stdout + out.stderr).toBe('');
    expect(out.status).toBe(0);
  });

  it('declares the state table: partition key pk (String), retained, on demand, TTL on expiresAt', () => {
    const table = template.Resources.StateTable;
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(table.Properties.AttributeDefinitions).toEqual([{ AttributeName: 'pk', AttributeType: 'S' }]);
    expect(template.Parameters.StateTableName.Default).toBe('edaguard-state');
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });

  it('grants the task role exactly the DynamoDB actions the lease and the fix history call, on the state table only', async () => {
    const statements = template.Resources.TaskRole.Properties.Policies.flatMap(
      (p: Doc) => p.PolicyDocument.Statement,
    );
    const dynamo = statements.filter((s: Doc) => s.Action.some((a: string) => a.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(1);
    const actions = await stateTableActions();
    expect([...dynamo[0].Action].sort()).toEqual(actions);
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:UpdateItem']),
    );
    expect(dynamo[0].Resource).toEqual({ 'Fn::GetAtt': 'StateTable.Arn' });
  });

  it('runs two replicas, read-only, non-root, probing /healthz, with time to shut down gracefully', () => {
    const [container] = template.Resources.TaskDefinition.Properties.ContainerDefinitions;
    const env = Object.fromEntries(container.Environment.map((e: Doc) => [e.Name, e.Value]));
    expect(container.ReadonlyRootFilesystem).toBe(true);
    expect(container.User).toBe('1000');
    expect(container.Command).toEqual(['run', '--policies', '/policies']);
    expect(container.HealthCheck.Command.join(' ')).toContain(`127.0.0.1:8080${ROUTES.health}`);
    expect(container.PortMappings[0].ContainerPort).toBe(8080);
    expect(container.StopTimeout).toBeGreaterThan(Number(env.EDAGUARD_SHUTDOWN_GRACE));
    expect(env.EDAGUARD_STATE_TABLE).toEqual({ Ref: 'StateTable' });
    expect(template.Parameters.DesiredCount.Default).toBeGreaterThanOrEqual(2);
    // Many targets: the config file and the external id (a secret, read by the execution role only).
    expect(container.Environment).toContainEqual({
      'Fn::If': [
        'HasConfigFile',
        { Name: 'EDAGUARD_CONFIG', Value: { Ref: 'ConfigFile' } },
        { Ref: 'AWS::NoValue' },
      ],
    });
    expect(container.Secrets['Fn::If'][1]).toEqual([
      { Name: 'EDAGUARD_EXTERNAL_ID', ValueFrom: { Ref: 'ExternalIdSecretArn' } },
    ]);
    const readSecret =
      template.Resources.ExecutionRole.Properties.Policies['Fn::If'][1][0].PolicyDocument.Statement[0];
    expect(readSecret).toMatchObject({
      Action: 'secretsmanager:GetSecretValue',
      Resource: { Ref: 'ExternalIdSecretArn' },
    });
    // Every EDAGUARD_ variable it sets is one edaguard reads (a typo would be silently ignored).
    const known = [
      'src/config/settingsTable.ts',
      'src/config/serviceSettingsTable.ts',
      'src/config/file.ts',
      'src/targets/credentials.ts',
    ]
      .map(read)
      .join('\n');
    const names = [
      ...Object.keys(env),
      container.Environment.flatMap((e: Doc) => e['Fn::If']?.[1]?.Name ?? [])[0],
      container.Secrets['Fn::If'][1][0].Name,
    ];
    for (const name of names.filter((n) => n?.startsWith('EDAGUARD_'))) {
      expect(new RegExp(`\\b${name}\\b`).test(known), `${name} is read by edaguard`).toBe(true);
    }
  });
});

/** The manifests as kubectl would apply them; without kubectl, the base's files as written. */
function render(dir: string): Doc[] {
  if (HAS_KUBECTL) {
    const out = spawnSync('kubectl', ['kustomize', file(dir)], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    return parseAllDocuments(out.stdout).map((d) => d.toJS());
  }
  const kustomization = parseYaml(read(`${dir}/kustomization.yaml`)) as Doc;
  const docs = (kustomization.resources as string[]).flatMap((r) =>
    parseAllDocuments(read(`${dir}/${r}`)).map((d) => d.toJS()),
  );
  for (const generator of kustomization.configMapGenerator as Doc[]) {
    const data = Object.fromEntries(
      (generator.files as string[]).map((f) => [path.basename(f), read(`${dir}/${f}`)]),
    );
    docs.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data });
  }
  return docs;
}

const find = (docs: Doc[], kind: string, name?: string) =>
  docs.find(
    (d) =>
      d.kind === kind &&
      (name === undefined || d.metadata.name === name || d.metadata.name.startsWith(`${name}-`)),
  );

describe('deploy/eks (Kustomize)', () => {
  const docs = render('deploy/eks/base');
  const deployment = find(docs, 'Deployment', 'edaguard');
  const pod = deployment.spec.template;
  const container = pod.spec.containers.find((c: Doc) => c.name === 'edaguard');
  const configMapOf = (volume: string) =>
    find(docs, 'ConfigMap', pod.spec.volumes.find((v: Doc) => v.name === volume).configMap.name);

  it(`renders every object the base promises${HAS_KUBECTL ? '' : ' (kubectl absent: files parsed as written)'}`, () => {
    expect(docs.map((d) => d.kind).sort()).toEqual([
      'ConfigMap',
      'ConfigMap',
      'Deployment',
      'Namespace',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
      'ServiceMonitor',
    ]);
    if (HAS_KUBECTL)
      expect(
        docs.filter((d) => d.kind !== 'Namespace').every((d) => d.metadata.namespace === 'edaguard'),
      ).toBe(true);
  });

  it('the ServiceAccount carries the IRSA role annotation', () => {
    const sa = find(docs, 'ServiceAccount', 'edaguard');
    expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\/.+$/);
    expect(pod.spec.serviceAccountName).toBe('edaguard');
  });

  it('the Deployment: two replicas, probes on the routes the server serves, hardened, with a grace period longer than edaguard’s', () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(container.livenessProbe.httpGet).toEqual({ path: ROUTES.health, port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: ROUTES.ready, port: 'http' });
    expect(container.startupProbe.httpGet.path).toBe(ROUTES.health);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.args).toEqual(['run', '--config', '/etc/edaguard/config.yaml']);

    // The config file it mounts is valid, and its port and grace period fit the manifests.
    const config = parseConfigFile('config.yaml', configMapOf('config').data['config.yaml']);
    const service = resolveServiceSettings({}, config.env, () => 'pod');
    expect(container.ports).toEqual([{ name: 'http', containerPort: service.httpPort, protocol: 'TCP' }]);
    expect(pod.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(service.shutdownGraceMs);
    expect(service.policies).toBe(container.volumeMounts.find((m: Doc) => m.name === 'policies').mountPath);
    expect(container.env.find((e: Doc) => e.name === 'EDAGUARD_HOLDER_ID').valueFrom.fieldRef.fieldPath).toBe(
      'metadata.name',
    );
  });

  it('the policies ConfigMap holds valid policies, under a fixed name so updates reach running pods', () => {
    const policies = configMapOf('policies');
    expect(policies.metadata.name).toBe('edaguard-policies');
    const set = parsePolicySources(
      Object.entries(policies.data as Record<string, string>).map(([f, text]) => ({ file: f, text })),
    );
    expect(set.policies.map((p) => p.name)).toEqual(['orders']);
  });

  it('the PodDisruptionBudget, Service and ServiceMonitor select the pods and the metrics port', () => {
    const labels = pod.metadata.labels;
    const selects = (selector: Record<string, string>) =>
      Object.entries(selector).every(([k, v]) => labels[k] === v);
    const pdb = find(docs, 'PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(selects(pdb.spec.selector.matchLabels)).toBe(true);
    const svc = find(docs, 'Service', 'edaguard');
    expect(selects(svc.spec.selector)).toBe(true);
    const monitor = find(docs, 'ServiceMonitor');
    expect(
      Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => svc.metadata.labels[k] === v),
    ).toBe(true);
    const [endpoint] = monitor.spec.endpoints;
    expect(endpoint.path).toBe(ROUTES.metrics);
    expect(svc.spec.ports.map((p: Doc) => p.name)).toContain(endpoint.port);
  });

  it.skipIf(!HAS_KUBECTL)(
    'the git-sync overlay replaces the ConfigMap with a sidecar checkout (skipped without kubectl)',
    () => {
      const synced = render('deploy/eks/overlays/git-sync');
      const spec = find(synced, 'Deployment', 'edaguard').spec.template.spec;
      const main = spec.containers.find((c: Doc) => c.name === 'edaguard');
      const sidecar = spec.containers.find((c: Doc) => c.name === 'git-sync');
      expect(sidecar.args).toEqual(expect.arrayContaining(['--root=/git', '--link=current']));
      expect(sidecar.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(main.env.find((e: Doc) => e.name === 'EDAGUARD_POLICIES').value).toBe('/git/current/policies');
      expect(main.volumeMounts.map((m: Doc) => m.name).sort()).toEqual(['config', 'git']);
      expect(spec.volumes.map((v: Doc) => v.name).sort()).toEqual(['config', 'git', 'git-tmp']);
    },
  );
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('is multi-stage; the runtime stage has production dependencies only and runs as a non-root user', () => {
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/npm prune --omit=dev/);
    const runtime = stages[1] as string;
    expect(runtime).not.toMatch(/npm (ci|install)/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/COPY --from=build \/app\/node_modules/);
  });

  it('has a health check on /healthz and runs `edaguard run` on the port the probes use', () => {
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    expect(dockerfile).toMatch(/^EXPOSE 8080$/m);
    expect(dockerfile).toMatch(/^CMD \["run", "--policies", "\/policies"\]$/m);
  });

  it('runs node with the same V8 flags as the bin’s shebang (npx edaguard and the image alike)', () => {
    const shebang = readFileSync(file('src/main.ts'), 'utf8').split('\n', 1)[0] as string;
    const flags = /^#!\/usr\/bin\/env -S node (.+)$/.exec(shebang)?.[1]?.split(' ') ?? [];
    expect(flags).toContain('--max-semi-space-size=4');
    const entrypoint = JSON.stringify(['node', ...flags, '/app/dist/main.js']).replaceAll(',', ', ');
    expect(dockerfile.split('\n')).toContain(`ENTRYPOINT ${entrypoint}`);
  });
});
