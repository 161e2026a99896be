import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/program.js';
import { edaguardVersion, nodeSupportNote, sdkNodeSupport, versionText } from '../../../src/cli/version.js';

const SDK_SOURCE = `const emitWarningIfUnsupportedVersion = (version) => {
    if (version && !state.warningEmitted) {
        const vv = 24;
        if (userMajorVersion < vv) {
            process.emitWarning(\`NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)
versions published after the first week of March 2029
will require node >=\${vv}. You are running node \${version}.\`);
        }
    }
};`;

describe('edaguard --version', () => {
  it('reads the Node.js version the SDK requires next from its warning', () => {
    expect(sdkNodeSupport(SDK_SOURCE)).toEqual({ requiredMajor: 24, after: 'the first week of March 2029' });
    expect(sdkNodeSupport('no warning here')).toBeUndefined();
    expect(sdkNodeSupport('')).toBeUndefined();
  });

  it('finds it in the SDK installed', () => {
    expect(sdkNodeSupport()?.requiredMajor).toBeGreaterThanOrEqual(20);
  });

  it('two lines: the version of package.json, then Node.js and what the SDK will require', () => {
    const support = { requiredMajor: 24, after: 'the first week of March 2029' };
    expect(versionText('v20.1.0', support)).toBe(
      `edaguard ${edaguardVersion()}\nNode.js v20.1.0; AWS SDK versions published after the first week of March 2029 drop Node.js 20 (they require >=24): upgrade Node.js\n`,
    );
    expect(nodeSupportNote('v24.2.0', support)).toBe(
      'AWS SDK versions published after the first week of March 2029 require Node.js >=24',
    );
    expect(versionText('v20.1.0', null)).toBe(`edaguard ${edaguardVersion()}\nNode.js v20.1.0\n`);
  });

  it('--version and -V print it through the CLI and exit 0', async () => {
    const { version } = (await import('../../../package.json', { with: { type: 'json' } })).default;
    for (const flag of ['--version', '-V']) {
      let stdout = '';
      const code = await runCli([flag], {
        stdout: (t) => {
          stdout += t;
        },
        stderr: () => {},
        env: {},
      });
      expect(code).toBe(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(`edaguard ${version}`);
      expect(lines[1]).toMatch(new RegExp(`^Node\\.js ${process.version.replace(/\./g, '\\.')}`));
      expect(lines).toHaveLength(2);
    }
  });
});
