/**
 * The e2e node's stand-in for kube-proxy and cluster DNS (test/e2e/node.sh starts it):
 * - DNS on the pod bridge's address: `<service>.<namespace>.svc[.cluster.local]` resolves
 *   to the Service's ready endpoint addresses (pod IPs, as a headless Service would), or
 *   to its ClusterIP when that is an address this process forwards; anything else is
 *   NXDOMAIN. Pods reach endpoints directly on the bridge, so no iptables rule is needed.
 * - A TCP forwarder from the `kubernetes` Service's ClusterIP (an address on the bridge)
 *   to the loopback apiserver, so in-cluster clients (KUBERNETES_SERVICE_HOST) connect.
 *
 *   node node-net.js --kubeconfig F --dns IP:PORT --forward IP:PORT --to HOST:PORT
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { parseArgs } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { decodeQuery, encodeAnswer, RCODE_NXDOMAIN, TYPE_A } from './dns-wire.js';

/** A `host:port` flag split; the port must be a number. */
function hostPort(flag: string, text: string | undefined): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(text ?? '');
  if (!m?.[1] || !m[2]) throw new Error(`--${flag} must be HOST:PORT, got ${String(text)}`);
  return { host: m[1], port: Number(m[2]) };
}

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    dns: { type: 'string' },
    forward: { type: 'string' },
    to: { type: 'string' },
  },
});
if (!values.kubeconfig) throw new Error('--kubeconfig is required');
const dnsAt = hostPort('dns', values.dns);
const forwardAt = hostPort('forward', values.forward);
const target = hostPort('to', values.to);

const kc = new k8s.KubeConfig();
kc.loadFromFile(values.kubeconfig);
const core = kc.makeApiClient(k8s.CoreV1Api);
const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);

const SERVICE_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc$/;

/** The IPv4 addresses a cluster name stands for; undefined when the name does not exist. */
async function resolve(name: string): Promise<string[] | undefined> {
  const short = name
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/\.cluster\.local$/, '');
  const m = SERVICE_NAME.exec(short);
  if (!m?.[1] || !m[3]) return undefined;
  const [service, namespace] = [m[1], m[3]];
  let clusterIP: string | undefined;
  try {
    clusterIP = (await core.readNamespacedService({ name: service, namespace })).spec?.clusterIP;
  } catch {
    return undefined;
  }
  if (clusterIP === forwardAt.host) return [clusterIP];
  const slices = await discovery.listNamespacedEndpointSlice({
    namespace,
    labelSelector: `kubernetes.io/service-name=${service}`,
  });
  const out: string[] = [];
  for (const slice of slices.items) {
    if (slice.addressType !== 'IPv4') continue;
    for (const ep of slice.endpoints) {
      if (ep.conditions?.ready === false) continue;
      out.push(...ep.addresses);
    }
  }
  return out;
}

async function answer(sock: UdpSocket, msg: Buffer, from: RemoteInfo): Promise<void> {
  const query = decodeQuery(msg);
  if (!query) return;
  const ips = await resolve(query.name).catch((err: unknown) => {
    console.log(`lookup ${query.name} failed: ${String(err)}`);
    return undefined;
  });
  const found = query.type === TYPE_A ? (ips ?? []) : [];
  console.log(
    `${query.name} type ${query.type}: ${ips ? found.join(',') || '(none)' : 'NXDOMAIN'}`,
  );
  const reply = encodeAnswer(query, ips ? 0 : RCODE_NXDOMAIN, found);
  sock.send(reply, from.port, from.address);
}

const dns = createSocket('udp4');
dns.on('message', (msg, from) => {
  void answer(dns, msg, from);
});
dns.bind(dnsAt.port, dnsAt.host);

createServer((client) => {
  const upstream = connect(target.port, target.host);
  const drop = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', drop).on('close', drop);
  upstream.on('error', drop).on('close', drop);
  client.pipe(upstream).pipe(client);
}).listen(forwardAt.port, forwardAt.host, () => {
  console.log(
    `dns on ${dnsAt.host}:${dnsAt.port}; ${forwardAt.host}:${forwardAt.port} -> ${target.host}:${target.port}`,
  );
});
