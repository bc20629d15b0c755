// `kubectl completion bash|zsh|fish|powershell`: people `source <(kubectl completion bash)` in
// their first minute. The terminal already completes kubectl (shell/complete.ts), so the
// script only has to look like cobra's and leave the shell working: the license header, the
// completion function and the `complete` registration, without cobra's 300 lines of bash.
import { fail, ok } from '../../types.js';
import type { KubectlSubcommand } from '../types.js';

const HEADER = `# Copyright 2016 The Kubernetes Authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

`;

const SCRIPTS: Record<string, string> = {
  bash: `${HEADER}# bash completion V2 for kubectl                              -*- shell-script -*-

__start_kubectl()
{
    :
}

if [[ $(type -t compopt) = "builtin" ]]; then
    complete -o default -F __start_kubectl kubectl
else
    complete -o default -o nospace -F __start_kubectl kubectl
fi

# ex: ts=4 sw=4 et filetype=sh
`,
  zsh: `#compdef kubectl\ncompdef _kubectl kubectl\n\n${HEADER}# zsh completion for kubectl                               -*- shell-script -*-\n`,
  fish: `${HEADER}# fish completion for kubectl                              -*- shell-script -*-\n`,
  powershell: `${HEADER}# powershell completion for kubectl                        -*- shell-script -*-\n`,
};

export const completionCommand: KubectlSubcommand = {
  name: 'completion',
  short: 'Output shell completion code for the specified shell (bash, zsh, fish, or powershell)',
  usage: 'kubectl completion SHELL',
  offline: true,
  completions: Object.keys(SCRIPTS),
  flags: [],
  run: (_ctx, args) => {
    if (args.length === 0) return fail('error: Shell not specified.\nSee \'kubectl completion -h\' for help and examples\n');
    if (args.length > 1) return fail('error: Too many arguments. Expected only the shell type.\nSee \'kubectl completion -h\' for help and examples\n');
    const script = SCRIPTS[args[0]!];
    return script ? ok(script) : fail(`error: Unsupported shell type "${args[0]}".\n`);
  },
};
