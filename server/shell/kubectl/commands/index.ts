// The one registry of kubectl subcommands. Add a subcommand by importing it and listing it here.
import type { KubectlSubcommand } from '../types.js';
import { configCommand } from './config.js';
import { describeCommand } from './describe.js';
import { eventsCommand } from './events.js';
import { getCommand } from './get.js';
import { apiResourcesCommand, apiVersionsCommand, clusterInfoCommand, explainCommand, versionCommand } from './info.js';
import { topCommand } from './top.js';
import { deleteCommand } from './delete.js';
import { cordonCommand, drainCommand, uncordonCommand } from './drain.js';
import { debugCommand } from './debug.js';
import { execCommand } from './exec.js';
import { cpCommand } from './cp.js';
import { annotateCommand, labelCommand } from './label.js';
import { logsCommand } from './logs.js';
import { rolloutCommand } from './rollout.js';
import { scaleCommand } from './scale.js';
import { autoscaleCommand } from './autoscale.js';
import { taintCommand } from './taint.js';
import { createCommand } from './create.js';
import { runCommand } from './run.js';
import { editCommand } from './edit.js';
import { setCommand } from './set.js';
import { patchCommand } from './patch.js';
import { applyCommand, diffCommand, replaceCommand } from './apply.js';
import { authCommand } from './auth.js';
import { waitCommand } from './wait.js';
import { exposeCommand } from './expose.js';
import { certificateCommand } from './certificate.js';
import { completionCommand } from './completion.js';
import { pluginCommand } from './plugin.js';
import { portForwardCommand, proxyCommand } from './port-forward.js';
import { kustomizeCommand } from './kustomize.js';
import { attachCommand } from './attach.js';

export const subcommands: KubectlSubcommand[] = [
  getCommand,
  describeCommand,
  eventsCommand,
  topCommand,
  explainCommand,
  apiResourcesCommand,
  apiVersionsCommand,
  clusterInfoCommand,
  versionCommand,
  configCommand,
  scaleCommand,
  autoscaleCommand,
  deleteCommand,
  rolloutCommand,
  cordonCommand,
  uncordonCommand,
  drainCommand,
  taintCommand,
  labelCommand,
  annotateCommand,
  logsCommand,
  execCommand,
  attachCommand,
  cpCommand,
  portForwardCommand,
  proxyCommand,
  debugCommand,
  createCommand,
  runCommand,
  setCommand,
  editCommand,
  patchCommand,
  applyCommand,
  replaceCommand,
  diffCommand,
  kustomizeCommand,
  authCommand,
  waitCommand,
  exposeCommand,
  certificateCommand,
  completionCommand,
  pluginCommand,
];
