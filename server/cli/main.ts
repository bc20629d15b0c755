// The `kubedrill` command. Each subcommand lives in its own file and adds itself here.
import { Command } from 'commander';
import { addApiCommand } from './api-command.js';
import { addScenariosCommand } from './scenarios-command.js';
import { addServeCommand } from './serve-command.js';
import { addShellCommand } from './shell-command.js';

const program = new Command()
  .name('kubedrill')
  .description('Kubernetes incident drills on a simulated cluster')
  .showHelpAfterError()
  .exitOverride((error) => {
    // commander's own help/version exits are not failures.
    process.exit(error.exitCode);
  });

addShellCommand(program);
addServeCommand(program);
addScenariosCommand(program);
addApiCommand(program);

await program.parseAsync(process.argv);
