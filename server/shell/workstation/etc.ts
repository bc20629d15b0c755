// The workstation's own system files, read-only for the player (Ubuntu 22.04, as the nodes):
// what an SRE cats to see where names resolve and what machine this is. They are not the
// session's written files (vfs.ts lays them under those), so they cost a session nothing.
import { stubResolvConf } from '../../cluster/host.js';
import { OS_RELEASE } from '../node/fs.js';
import { WORKSTATION } from '../session.js';

export const WORKSTATION_SYSTEM_FILES: Readonly<Record<string, string>> = {
  '/etc/hostname': `${WORKSTATION}\n`,
  // The Ubuntu installer's (netcfg): the machine's own name on 127.0.1.1; the nodes come from the team's DNS.
  '/etc/hosts': `127.0.0.1\tlocalhost\n127.0.1.1\t${WORKSTATION}\n\n# The following lines are desirable for IPv6 capable hosts\n::1     ip6-localhost ip6-loopback\nfe00::0 ip6-localnet\nff00::0 ip6-mcastprefix\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n`,
  // systemd-resolved's stub with no search domain, as the workstation's lookups go (tools.ts).
  '/etc/resolv.conf': stubResolvConf('.'),
  '/etc/os-release': OS_RELEASE,
};
