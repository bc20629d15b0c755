// The one registry of kubectl subcommands. Add a subcommand by importing it and listing it here.
import type { KubectlSubcommand } from '../types.js';
import { configCommand } from './config.js';
import { describeCommand } from './describe.js';
import { eventsCommand } from './events.js';
import { getCommand } from './get.js';
import { apiResourcesCommand, clusterInfoCommand, explainCommand, versionCommand } from './info.js';
import { topCommand } from './top.js';

export const subcommands: KubectlSubcommand[] = [
  getCommand,
  describeCommand,
  eventsCommand,
  topCommand,
  explainCommand,
  apiResourcesCommand,
  clusterInfoCommand,
  versionCommand,
  configCommand,
];
