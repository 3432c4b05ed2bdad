/**
 * Access to the real control plane for e2e tests. `node scripts/test.mjs e2e` starts one
 * for the whole level and passes its directory in MEZZO_E2E_DIR; a test file run on its
 * own starts (and stops) a private one through test/e2e/control-plane.sh.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { tempDir } from '../../support/cleanup.js';

const execFileAsync = promisify(execFile);

/** Repository root (this file compiles to dist/test/e2e/support/). */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const script = join(repoRoot, 'test/e2e/control-plane.sh');

/** A started control plane and the tools that talk to it. */
export interface ControlPlane {
  readonly dir: string;
  readonly kubeconfigPath: string;
  readonly kubectlPath: string;
  readonly helmPath: string;
  readonly server: string;
  /** The cluster CA certificate, for clients built by hand. */
  readonly caCertPath: string;
  /** A client configuration for @kubernetes/client-node. */
  kubeConfig(): k8s.KubeConfig;
  /** Runs kubectl with the admin kubeconfig; rejects with its stderr on failure. */
  kubectl(args: string[], input?: string): Promise<{ stdout: string; stderr: string }>;
  /** Runs helm with the admin kubeconfig. */
  helm(args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** Waits (30 s at most) until the named CRDs (`crd/<name>`) are Established. */
  waitEstablished(crds: string[]): Promise<void>;
  /** Stops it when this process started it. */
  stop(): void;
}

function parseEnv(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function required(env: Record<string, string>, key: string): string {
  const v = env[key];
  if (!v) throw new Error(`control plane env lacks ${key}`);
  return v;
}

/**
 * `kubectl wait --for=condition=Established` on `crds`, asked again while a CRD has no
 * conditions yet: kubectl v1.34 fails at once then (".status.conditions accessor error:
 * <nil>") instead of waiting, which a loaded machine hits right after the apply.
 */
async function waitEstablished(
  kubectl: (args: string[]) => Promise<unknown>,
  crds: string[],
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const left = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
    try {
      await kubectl(['wait', '--for=condition=Established', `--timeout=${String(left)}s`, ...crds]);
      return;
    } catch (err) {
      const stderr = (err as { stderr?: unknown }).stderr;
      const early =
        typeof stderr === 'string' && stderr.includes('.status.conditions accessor error');
      if (!early || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * Applies the repository's CRDs, waits until `crds` are Established, and makes namespace
 * `ns` (idempotent, for a shared control plane that ran the calling file before).
 */
export async function withCrdsAndNamespace(
  cp: ControlPlane,
  crds: string[],
  ns: string,
): Promise<void> {
  await cp.kubectl(['apply', '-f', join(repoRoot, 'crds')]);
  await cp.waitEstablished(crds);
  await cp.kubectl(
    ['apply', '-f', '-'],
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n`,
  );
}

/**
 * Returns the shared control plane, or starts a private one. With `node`, always a private
 * one with a node that runs pods (test/e2e/node.sh), so the shared one stays node-less.
 */
export function controlPlane(opts: { node?: boolean } = {}): ControlPlane {
  const shared = opts.node ? undefined : process.env.MEZZO_E2E_DIR;
  const dir = shared ?? tempDir('mezzo-cp-');
  if (!shared)
    execFileSync('bash', [script, opts.node ? 'up-node' : 'up', dir], { stdio: 'inherit' });
  const env = parseEnv(join(dir, 'env'));
  const kubeconfigPath = required(env, 'KUBECONFIG');
  const kubectlPath = required(env, 'KUBECTL');
  const helmPath = required(env, 'HELM');
  const run = async (bin: string, args: string[], input?: string) => {
    const child = execFileAsync(bin, args, {
      env: { ...process.env, KUBECONFIG: kubeconfigPath },
      maxBuffer: 32 * 1024 * 1024,
    });
    if (input !== undefined) child.child.stdin?.end(input);
    return child;
  };
  return {
    dir,
    kubeconfigPath,
    kubectlPath,
    helmPath,
    server: required(env, 'MEZZO_APISERVER'),
    caCertPath: required(env, 'MEZZO_CA_CERT'),
    kubeConfig: () => {
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      return kc;
    },
    kubectl: (args, input) => run(kubectlPath, args, input),
    helm: (args) => run(helmPath, args),
    waitEstablished: (crds) => waitEstablished((args) => run(kubectlPath, args), crds),
    stop: () => {
      if (!shared) execFileSync('bash', [script, 'down', dir], { stdio: 'inherit' });
    },
  };
}
