// `kubectl plugin list`: plugins are executables named kubectl-* on PATH; there are none here,
// and kubectl says so the way plugin.go does.
import { fail, ok } from '../../types.js';
import type { KubectlSubcommand } from '../types.js';

export const pluginCommand: KubectlSubcommand = {
  name: 'plugin',
  short: 'Provides utilities for interacting with plugins',
  usage: 'kubectl plugin [flags] [options]',
  flags: [{ name: 'name-only', type: 'bool', usage: 'If true, display only the binary name of each plugin, rather than its full path' }],
  offline: true,
  run: (_ctx, args) => {
    if (args[0] === 'list') return fail('error: unable to find any kubectl plugins in your PATH\n');
    if (args.length > 0) return fail(`error: unknown command "${args[0]}" for "kubectl plugin"\n`);
    return ok('Provides utilities for interacting with plugins.\n\n Plugins provide extended functionality that is not part of the major command-line distribution.\n\nAvailable Commands:\n  list          List all visible plugin executables on a user\'s PATH\n\nUsage:\n  kubectl plugin [flags] [options]\n\nUse "kubectl <command> --help" for more information about a given command.\nUse "kubectl options" for a list of global command-line options (applies to all commands).\n');
  },
};
