// The static pod manifests kubeadm writes to /etc/kubernetes/manifests on a control-plane node.
import type { ClusterState, HostPathVolume } from './types.js';

/** Each component's hostPath volumes, in its container's volumeMounts order (kubeadm's controlplane/volumes.go, etcd/local.go). */
export function staticPodVolumes(dataDir: string): Record<string, HostPathVolume[]> {
  const kubeconfig = (file: string): HostPathVolume => ({ volume: 'kubeconfig', path: `/etc/kubernetes/${file}`, type: 'FileOrCreate', mountPath: `/etc/kubernetes/${file}`, readOnly: true });
  return {
    etcd: [
      { volume: 'etcd-data', path: dataDir, type: 'DirectoryOrCreate', mountPath: dataDir },
      { volume: 'etcd-certs', path: '/etc/kubernetes/pki/etcd', type: 'DirectoryOrCreate', mountPath: '/etc/kubernetes/pki/etcd' },
    ],
    'kube-apiserver': [
      { volume: 'ca-certs', path: '/etc/ssl/certs', type: 'DirectoryOrCreate', mountPath: '/etc/ssl/certs', readOnly: true },
      { volume: 'k8s-certs', path: '/etc/kubernetes/pki', type: 'DirectoryOrCreate', mountPath: '/etc/kubernetes/pki', readOnly: true },
    ],
    'kube-controller-manager': [kubeconfig('controller-manager.conf')],
    'kube-scheduler': [kubeconfig('scheduler.conf')],
  };
}

export function staticPodManifests(state: ClusterState, nodeName: string, ip: string, version: string): Record<string, string> {
  const { etcd, network } = state;
  const image = (name: string, tag: string) => `registry.k8s.io/${name}:${tag}`;
  const probe = (path: string, port: number, scheme: 'HTTP' | 'HTTPS', host = '127.0.0.1') =>
    `    livenessProbe:\n      failureThreshold: 8\n      httpGet:\n        host: ${host}\n        path: ${path}\n        port: ${port}\n        scheme: ${scheme}\n      initialDelaySeconds: 10\n      periodSeconds: 10\n      timeoutSeconds: 15\n`;
  const header = (name: string, component: string, extra = '') =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n${extra}  creationTimestamp: null\n  labels:\n    component: ${component}\n    tier: control-plane\n  name: ${name}\n  namespace: kube-system\nspec:\n  containers:\n  - command:\n`;
  const volumes = staticPodVolumes(etcd.dataDir);
  const mounts = (component: string) =>
    '    volumeMounts:\n' + volumes[component]!.map((v) => `    - mountPath: ${v.mountPath}\n      name: ${v.volume}\n${v.readOnly ? '      readOnly: true\n' : ''}`).join('');
  const footer = (component: string) =>
    `  hostNetwork: true\n  priority: 2000001000\n  priorityClassName: system-node-critical\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  volumes:\n` +
    [...volumes[component]!].sort((a, b) => a.volume.localeCompare(b.volume)).map((v) => `  - hostPath:\n      path: ${v.path}\n      type: ${v.type}\n    name: ${v.volume}\n`).join('') +
    'status: {}\n';
  const args = (list: string[]) => list.map((a) => `    - ${a}\n`).join('');

  const etcdYaml =
    header('etcd', 'etcd', `  annotations:\n    kubeadm.kubernetes.io/etcd.advertise-client-urls: https://${ip}:2379\n`) +
    args([
      'etcd', `--advertise-client-urls=https://${ip}:2379`, '--cert-file=/etc/kubernetes/pki/etcd/server.crt', '--client-cert-auth=true',
      `--data-dir=${etcd.dataDir}`, '--experimental-initial-corrupt-check=true', '--experimental-watch-progress-notify-interval=5s',
      `--initial-advertise-peer-urls=https://${ip}:2380`, `--initial-cluster=${nodeName}=https://${ip}:2380`, '--key-file=/etc/kubernetes/pki/etcd/server.key',
      `--listen-client-urls=https://127.0.0.1:2379,https://${ip}:2379`, '--listen-metrics-urls=http://127.0.0.1:2381', `--listen-peer-urls=https://${ip}:2380`,
      `--name=${nodeName}`, '--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt', '--peer-client-cert-auth=true', '--peer-key-file=/etc/kubernetes/pki/etcd/peer.key',
      '--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt', `--quota-backend-bytes=${etcd.quotaBackendBytes}`, '--snapshot-count=10000',
      '--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
    ]) +
    `    image: ${image('etcd', `${etcd.version}-0`)}\n    imagePullPolicy: IfNotPresent\n` + probe('/health?exclude=NOSPACE&serializable=true', 2381, 'HTTP') +
    `    name: etcd\n    resources:\n      requests:\n        cpu: 100m\n        memory: 100Mi\n` + mounts('etcd') + footer('etcd');

  const apiserverYaml =
    header('kube-apiserver', 'kube-apiserver', `  annotations:\n    kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint: ${ip}:6443\n`) +
    args([
      'kube-apiserver', `--advertise-address=${ip}`, '--allow-privileged=true', '--authorization-mode=Node,RBAC', '--client-ca-file=/etc/kubernetes/pki/ca.crt',
      '--enable-admission-plugins=NodeRestriction', '--enable-bootstrap-token-auth=true', '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt',
      '--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt', '--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key',
      '--etcd-servers=https://127.0.0.1:2379', '--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt',
      '--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key', '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
      '--secure-port=6443', '--service-account-issuer=https://kubernetes.default.svc.cluster.local', '--service-account-key-file=/etc/kubernetes/pki/sa.pub',
      '--service-account-signing-key-file=/etc/kubernetes/pki/sa.key', `--service-cluster-ip-range=${network.serviceCIDR}`,
      '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt', '--tls-private-key-file=/etc/kubernetes/pki/apiserver.key',
    ]) +
    `    image: ${image('kube-apiserver', version)}\n    imagePullPolicy: IfNotPresent\n` + probe('/livez', 6443, 'HTTPS', ip) +
    `    name: kube-apiserver\n    resources:\n      requests:\n        cpu: 250m\n` + mounts('kube-apiserver') + footer('kube-apiserver');

  const schedulerYaml =
    header('kube-scheduler', 'kube-scheduler') +
    args(['kube-scheduler', '--authentication-kubeconfig=/etc/kubernetes/scheduler.conf', '--authorization-kubeconfig=/etc/kubernetes/scheduler.conf',
      '--bind-address=127.0.0.1', '--kubeconfig=/etc/kubernetes/scheduler.conf', '--leader-elect=true']) +
    `    image: ${image('kube-scheduler', version)}\n    imagePullPolicy: IfNotPresent\n` + probe('/healthz', 10259, 'HTTPS') +
    `    name: kube-scheduler\n    resources:\n      requests:\n        cpu: 100m\n` + mounts('kube-scheduler') + footer('kube-scheduler');

  const controllerManagerYaml =
    header('kube-controller-manager', 'kube-controller-manager') +
    args(['kube-controller-manager', '--allocate-node-cidrs=true', '--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf',
      '--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf', '--bind-address=127.0.0.1', '--client-ca-file=/etc/kubernetes/pki/ca.crt',
      `--cluster-cidr=${network.clusterCIDR}`, `--cluster-name=${state.clusterName}`, '--controllers=*,bootstrapsigner,tokencleaner',
      '--kubeconfig=/etc/kubernetes/controller-manager.conf', '--leader-elect=true', `--service-cluster-ip-range=${network.serviceCIDR}`,
      '--use-service-account-credentials=true']) +
    `    image: ${image('kube-controller-manager', version)}\n    imagePullPolicy: IfNotPresent\n` + probe('/healthz', 10257, 'HTTPS') +
    `    name: kube-controller-manager\n    resources:\n      requests:\n        cpu: 200m\n` + mounts('kube-controller-manager') + footer('kube-controller-manager');

  return {
    '/etc/kubernetes/manifests/etcd.yaml': etcdYaml,
    '/etc/kubernetes/manifests/kube-apiserver.yaml': apiserverYaml,
    '/etc/kubernetes/manifests/kube-scheduler.yaml': schedulerYaml,
    '/etc/kubernetes/manifests/kube-controller-manager.yaml': controllerManagerYaml,
  };
}
