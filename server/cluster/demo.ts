// The built-in demo cluster: one control-plane node, two workers, the kube-system
// add-ons, and two small apps in default (web behind a LoadBalancer, api behind a ClusterIP).
import type { ClusterSpecInput } from './spec.js';

const nginxStartup = [
  '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
  '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
  '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh',
  '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf',
  '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
  '/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh',
  '/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh',
  '/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh',
  '/docker-entrypoint.sh: Configuration complete; ready for start up',
];

export const demoClusterSpec: ClusterSpecInput = {
  name: 'kubedrill-demo',
  nodes: [
    { name: 'cp-1', role: 'control-plane', ip: '10.0.1.10', cpu: '2', memory: '4Gi', age: '41d' },
    { name: 'worker-1', ip: '10.0.1.21', cpu: '2', memory: '8Gi', age: '41d' },
    { name: 'worker-2', ip: '10.0.1.22', cpu: '2', memory: '8Gi', age: '17d' },
  ],
  network: {
    cni: { name: 'aws-node' },
    traffic: [
      { ip: '203.0.113.10', service: 'default/web', via: 'loadbalancer', requestsPerMinute: 12, paths: ['/', '/index.html'], userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' },
      { ip: '198.51.100.23', service: 'default/web', via: 'nodeport', requestsPerMinute: 4, paths: ['/healthz'], userAgent: 'curl/8.5.0' },
    ],
    externalDNS: { 'example.com': '93.184.215.14', 'registry-1.docker.io': '54.236.113.205' },
  },
  etcd: { quotaBackendBytes: '2Gi', dbSize: '38Mi', dbSizeInUse: '31Mi' },
  deployments: [
    {
      name: 'web', replicas: 3, age: '6d',
      containers: [{
        name: 'nginx', image: 'nginx:1.25.3', ports: [{ name: 'http', containerPort: 80 }],
        requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' },
        readinessProbe: { type: 'http', path: '/', port: 80, periodSeconds: 5 },
        behavior: { accessLog: true, startupLogs: nginxStartup, memoryUse: '9Mi', cpuUse: '1m', role: 'app' },
      }],
    },
    {
      name: 'api', replicas: 2, age: '6d',
      containers: [{
        name: 'api', image: 'ghcr.io/acme/orders-api:1.4.2', ports: [{ name: 'http', containerPort: 8080 }],
        requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' },
        env: { PORT: '8080', DB_HOST: 'orders-db.prod.internal' },
        readinessProbe: { type: 'http', path: '/healthz', port: 8080, initialDelaySeconds: 5 },
        behavior: {
          accessLog: true, memoryUse: '142Mi', cpuUse: '12m', role: 'app',
          startupLogs: ['{"level":"info","msg":"loading config","env":"production"}', '{"level":"info","msg":"connected to database","host":"orders-db.prod.internal"}', '{"level":"info","msg":"listening","addr":":8080"}'],
        },
      }],
    },
  ],
  services: [
    { name: 'web', type: 'LoadBalancer', annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' }, selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }], age: '6d' },
    { name: 'api', selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }], age: '6d' },
  ],
};
