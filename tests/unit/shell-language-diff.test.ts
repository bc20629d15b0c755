// The bash language, checked against real bash: each case runs in `bash -c` and in kubedrill's
// shell, and the bytes (stdout and stderr as a terminal shows them) must be the same.
// Input text comes from echo / printf / here-strings inside the line, so both read the same.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';

/** A case: one line, or several typed one after the other (aliases apply from the next line on, as in bash). */
type Case = string | string[];

function bash(lines: string[]): string {
  // Non-interactive bash expands aliases only when told; its errors say `line N:`, an interactive shell's do not.
  const script = `exec 2>&1\nshopt -s expand_aliases\n${lines.join('\n')}\n`;
  // A fresh empty directory to work in, as the player's home starts empty.
  const cwd = mkdtempSync(join(tmpdir(), 'shlang-diff-'));
  try {
    const run = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, LC_ALL: 'C.UTF-8', HOME: '/home/player' } });
    return run.stdout.replace(/^bash: line \d+: /gm, 'bash: ');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

function kubedrill(lines: string[]): string {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  return lines.map((line) => runLine(state, session, line).output).join('');
}

const cases: Record<string, Case[]> = {
  'while and until': [
    'printf "a b\\nc d\\n" | while read x y; do echo "[$y|$x]"; done',
    'printf "one\\ntwo\\nthree" | while read -r line; do echo "<$line>"; done',
    'i=0; while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done',
    'i=0; until [ $i -ge 3 ]; do echo u$i; i=$((i+1)); done; echo "status $?"',
    'n=0; while true; do n=$((n+1)); if [ $n -gt 4 ]; then break; fi; [ $n -eq 2 ] && continue; echo $n; done',
    'while read -r a; do echo "$a"; done <<< "x\\\\y z"',
    'while read a; do echo "$a"; done <<< "x\\\\y z"',
    'printf "k1=v1\\nk2=v2\\n" | while IFS== read -r k v; do echo "$v <- $k"; done',
    'printf "a:b:c\\n" | { IFS=: read -r -a parts; echo "${#parts[@]} ${parts[1]}"; }',
    'echo "  lead  trail  " | { read -r x; echo "[$x]"; }',
    'echo "  lead  trail  " | { read -r; echo "[$REPLY]"; }',
    'printf "a,b,,c,\\n" | { IFS=, read -r p q r s t; echo "[$p][$q][$r][$s][$t]"; }',
    'printf "1 2 3 4\\n" | { read a b; echo "[$a][$b]"; }',
    'printf "x\\ny\\n" | while read l; do echo "got $l"; cat; done',
    'printf "no newline" | { read l; echo "$? [$l]"; }',
    'while read -r line || [ -n "$line" ]; do echo "[$line]"; done <<< "last"',
    '{ read a; read b; } <<< $\'1\\n2\'; echo $a$b',
    'x=10; while (( x > 7 )); do echo $x; (( x-- )); done',
    'cnt=0; printf "a\\nb\\n" | while read l; do cnt=$((cnt+1)); done; echo $cnt',
    'printf "k a/b\\n" | while read -r k ready; do IFS=/ read -r up want <<< "$ready"; echo "$k $up $want"; done',
  ],
  case: [
    'for x in apple banana cherry 42 ""; do case $x in a*) echo "A $x";; b*|c*) echo "BC $x";; [0-9]*) echo num;; "") echo empty;; esac; done',
    'case foo in f?o) echo q;; *) echo star;; esac',
    'x=hello; case $x in (h*) echo paren;; esac',
    'case "a*" in "a*") echo literal;; esac; case abc in "a*") echo no;; *) echo other;; esac',
    'case b in a) echo a;& b) echo b;& c) echo c;; d) echo d;; esac',
    'case ab in a*) echo one;;& *b) echo two;;& x) echo three;; esac',
    'p="*.log"; case app.log in $p) echo glob;; esac; case app.log in "$p") echo quoted;; *) echo nomatch;; esac',
    'case x in [^a-c]) echo neg;; esac; case 5 in [[:digit:]]) echo digit;; esac',
    'case Running in Running|Succeeded) echo ok ;; *) echo bad ;; esac',
  ],
  arithmetic: [
    'echo $((1+2*3)) $(( (1+2)*3 )) $((7/2)) $((7%3)) $((-7/2)) $((2**10)) $((1<<4)) $((0xff)) $((010)) $((2#1010))',
    'x=5; echo $((x*2)) $(($x+1)) $((x++)) $x $((++x)) $((x-=2)) $x',
    'echo $((3>2)) $((3<2)) $((1&&0)) $((1||0)) $((! 0)) $((~0)) $((5&3)) $((5|3)) $((5^3)) $((1?10:20))',
    'a=3; b=4; (( c = a*a + b*b )); echo $c; (( c > 20 )) && echo big; (( 0 )); echo $?',
    'for ((i=0; i<3; i++)); do echo i$i; done',
    'for ((i=10; i>0; i-=4)); do printf "%s " $i; done; echo',
    'x=2+3; echo $((x*2))',
    'echo $((9223372036854775807+1))',
    'echo $((1/0)); echo after',
    'let x=4*5 y=x+1; echo $x $y',
    'n=0; for f in a b c; do ((n++)); done; echo $n',
    'echo $(( $(echo 6) * 7 ))',
  ],
  braces: [
    'echo {a,b,c}',
    'echo x{1,2}y pre{A,B}{1,2}',
    'echo {1..5} {5..1} {01..03} {a..e} {1..10..3}',
    'echo {a,b{1,2},c}',
    'echo "{a,b}" {a} {} a{,b} {x..}',
    'for n in web-{1..3}; do echo $n; done',
    'echo file.{yaml,json}.bak',
  ],
  functions: [
    'greet() { echo "hello $1, $# args: $@"; }; greet world a b',
    'f() { return 3; }; f; echo $?',
    'function g { echo "in g: $1"; }; g x',
    'f() { local v=inner; echo $v; }; v=outer; f; echo $v',
    'f() { x=changed; }; x=orig; f; echo $x',
    'count() { echo $#; }; count; count a; count "a b" c; set -- 1 2 3; count "$@"; count "$*"',
    'fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }; fact 5',
    'f() { for a in "$@"; do echo "<$a>"; done; }; f "x y" z ""',
    'f() { shift; echo "$@"; }; f a b c',
    'f() { echo out; echo err >&2; }; f 2>/dev/null; f >/dev/null',
    'up() { echo "${1^^}"; }; up kubernetes',
  ],
  groups: [
    '{ echo a; echo b; } | tr a-z A-Z',
    '( x=1; echo in $x ); echo "out [$x]"',
    '{ x=2; }; echo $x',
    '( exit 3 ); echo $?',
    'echo start; ( echo sub; false ) || echo failed',
    '{ echo one; echo two >&2; } 2>&1 | sort',
  ],
  parameters: [
    'x=hello.tar.gz; echo ${x%.gz} ${x%%.*} ${x#*.} ${x##*.} ${#x}',
    'p=/var/log/pods/ns_pod/container/0.log; echo ${p##*/} ${p%/*} ${p#/var/}',
    'x="a-b-c"; echo ${x/-/_} ${x//-/_} ${x/#a/A} ${x/%c/C} ${x//[ab]/X}',
    'unset u; echo "[${u:-default}] [${u-dash}] [${u:+alt}]"; e=""; echo "[${e:-d}] [${e-d}] [${e:+a}] [${e+set}]"',
    'echo ${z:=assigned}; echo $z',
    'x=abcdef; echo ${x:2} ${x:1:3} ${x: -2} ${x:0:-1}',
    'x=Hello; echo ${x^^} ${x,,} ${x^} ${x,}',
    'name=x; x=indirect; echo ${!name}',
    's="a  b   c"; echo $s; echo "$s"',
    'IFS=,; x="a,b,,c"; for i in $x; do echo "<$i>"; done',
    'echo "$UNSET_VAR" end; echo ${#}',
    'x=" spaced "; printf "[%s]" $x "$x"; echo',
    'x="web-7f9c6b5d4-xyz12"; echo "${x%-*}" "${x%%-*}" "${x#*-}" "${x/-*/}"',
    'echo ${x:-${y:-nested}}; v=abc; echo ${v:1} ${v: -1} ${#v}',
    'arr=(one two); echo "${arr[@]/o/0}" "${arr[@]^^}"',
    'printf -v out "%05d" 42; echo $out',
  ],
  arrays: [
    'a=(one two three); echo ${a[0]} ${a[2]} ${#a[@]} "${a[@]}"',
    'a=(x y); a+=(z); a[5]=w; echo ${#a[@]} ${a[@]} ${!a[@]}',
    'a=("a b" c); for i in "${a[@]}"; do echo "<$i>"; done; for i in ${a[@]}; do echo "[$i]"; done',
    'a=(3 1 2); echo "${a[*]}"; IFS=-; echo "${a[*]}"',
    'a=(p q r s); echo ${a[@]:1:2} ${a[-1]}',
    'declare -A m; m[web]=1; m[db]=2; echo ${m[web]} ${m[db]} ${#m[@]}',
    'declare -A c; for w in a b a c a; do c[$w]=$(( ${c[$w]:-0} + 1 )); done; echo ${c[a]} ${c[b]}',
    'read -r -a f <<< "1 2 3"; echo ${f[2]} ${#f[@]}',
    'mapfile -t lines <<< "$(printf "l1\\nl2\\n")"; echo ${#lines[@]} ${lines[1]}',
    'f=(a b c); unset "f[1]"; echo ${#f[@]} ${f[@]}',
    'f() { local -a arr=(x y); echo ${arr[1]}; }; f',
    "IFS=$'\\n'; arr=($(printf 'a b\\nc d\\n')); echo ${#arr[@]}; echo \"${arr[1]}\"",
    'a=(5 3 9 1); max=${a[0]}; for v in "${a[@]}"; do (( v > max )) && max=$v; done; echo $max',
    'declare -A by; while read ns rest; do by[$ns]=$(( ${by[$ns]:-0} + 1 )); done <<< "$(printf "a x\\nb y\\na z\\n")"; echo ${by[a]} ${by[b]}',
  ],
  conditionals: [
    '[[ abc == a* ]] && echo glob; [[ abc == "a*" ]] || echo quoted',
    '[[ -n "x" && -z "" ]] && echo both; [[ 1 -lt 2 || 3 -gt 4 ]] && echo either',
    '[[ ! -z x ]] && echo neg; [[ a < b ]] && echo less',
    'v=v1.29.3; if [[ $v =~ ^v([0-9]+)\\.([0-9]+) ]]; then echo "${BASH_REMATCH[0]} ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"; fi',
    're="^[a-z]+-[0-9]+$"; [[ web-12 =~ $re ]] && echo match; [[ Web-x =~ $re ]] || echo nomatch',
    '[[ 10 -eq 10 ]]; echo $?; [[ x = y ]]; echo $?',
    'x=""; [[ $x ]] || echo empty; [[ -v HOME ]] && echo set',
    '[[ (a == a) && ! (b == c) ]] && echo grouped',
  ],
  'lists and status': [
    'true && echo yes || echo no; false && echo yes || echo no',
    '! false && echo negated; ! true; echo $?',
    'false; echo $?; true; echo $?',
    'false | true; echo $?; set -o pipefail; false | true; echo $?',
    'set -e; echo one; false; echo never',
    'set -e; false || echo handled; if false; then :; fi; echo survived',
    'set -u; echo ${undefined_var:-ok}; echo $undefined_var; echo never',
    'set -- a b c; echo $# $1 $3 "$*"',
    'x=1; x+=2; echo $x',
    'echo a; echo b >&2; echo c',
    'echo out 2>&1 >/dev/null',
    'nosuchcmd 2>/dev/null; echo $?',
    'cat <<< "here string"; cat <<< $HOME',
    'eval "x=42; echo \\$x"',
    'f() { echo "${FUNCNAME:-f} called"; }; command -v f >/dev/null && echo has-f',
    '( trap "echo sub-bye" EXIT; echo in-sub ); echo after',
    'echo $(( $# + 1 )) "${@:-none}"',
    ': ; echo $?; :; false; echo $?',
    'x=5; echo ${x:+plus}${x:-minus}',
  ],
  'redirections and files': [
    'echo one > f; echo two >> f; cat f; wc -l < f',
    'printf "b\\na\\nc\\n" > list; sort list > sorted; cat sorted; sort -r < list',
    'echo out > f 2>&1; nosuch 2> err; cat f err',
    'nosuch &> both; cat both; { echo a; nosuch; } > all 2>&1; cat all',
    'echo x > f; cat f f > g; cat g',
    'for i in 1 2 3; do echo $i; done > nums; cat nums',
    'while read n; do echo "n=$n"; done < <(printf "1\\n2\\n")',
    'cat <(echo from-procsub) <(echo second)',
    'echo hi > a.txt; echo yo > b.txt; echo *.txt; cat *.txt; ls',
    'mkdir -p d/e; touch d/e/f; ls d; ls d/e; cp a d/ 2>&1; echo x > a; cp a d/; ls d',
    'echo 1 > x; mv x y; ls; cat y; rm y; ls; rm y 2>&1',
    'echo "echo sourced \\$1" > s.sh; source s.sh arg; . ./s.sh',
    'mkdir sub; cd sub; pwd | sed "s|.*/||"; echo hi > f; cd ..; cat sub/f',
    'cat nosuch; echo $?; cat < nosuch; echo $?',
    'echo ab > f; sed -i "s/a/A/" f; cat f',
    'echo none*; echo "*"',
    'mkdir s; touch a.yaml b.yaml s/c.yaml; d=.; echo $d/*.yaml "$d"/*.yaml ./"*".yaml */*.yaml; x="*"; echo $x.yaml "$x".yaml',
  ],
  // Child shells (child-shell.ts): `bash -c SCRIPT NAME ARG…`, scripts from a file or stdin,
  // `exit` ending the child only, options given at invocation, functions not inherited.
  'child shells': [
    'bash -c \'echo "$0|$1|$#"\' _ arg; echo rc=$?',
    'sh -c \'echo hi $0 $1\' x y',
    'bash -c \'exit 3\'; echo rc=$?',
    'bash -c \'set -e; false; echo not\'; echo rc=$?',
    'bash -euo pipefail -c \'false | true; echo after\'; echo rc=$?',
    'printf "a\\nb\\n" | bash -c \'while read l; do echo "<$l>"; done\'',
    'echo \'echo piped $1\' | bash -s word; echo \'echo $0\' | bash',
    'printf \'echo script $1 $#\\nexit 4\\n\' > s.sh; bash s.sh one two; echo rc=$?',
    'bash nope.sh; echo rc=$?; sh nope.sh; echo rc=$?',
    'bash -c; echo rc=$?; sh -c 2>&1; echo rc=$?',
    'f() { echo fn; }; bash -c f; echo rc=$?',
    'mkdir d; bash -c \'cd d; pwd | sed "s|.*/||"; echo x > f\'; pwd | grep -c "/d$"; cat d/f',
    'printf "ns1 a\\nns2 b\\n" | xargs -n2 sh -c \'echo "ns=$0 pod=$1"\'',
    'for i in 1 2; do bash -c "echo \\$1" _ $i; done; bash -c \'bash -c "echo deep"\'',
    // Only the environment reaches a child: exported variables and `VAR=x` prefixes, never arrays.
    'X=1; bash -c \'echo "[$X]"\'; export X; bash -c \'echo "[$X]"\'; export -n X; sh -c \'echo "[$X]"\'',
    'export Y=2; Z=3 bash -c \'echo "[$Y][$Z]"\'; echo "[$Z]"; declare -x W=4; bash -c \'echo "[$W]"\'; declare -p W',
    'a=(1 2); export a; bash -c \'echo "[${a[1]}]"\'; u=5; unset u; u=6; bash -c \'echo "[$u]"\'; export v=7; unset v; v=8; bash -c \'echo "[$v]"\'',
    'cd /; cd /tmp; bash -c \'echo $OLDPWD\'; export P=1; (unset P; bash -c \'echo "[$P]"\'); bash -c \'echo "[$P]"\'',
    // `export NAME` of an unset name marks it and leaves it unset: nothing reaches a child until it is assigned.
    'export Z; echo "[${Z-unset}]"; bash -c \'echo "[${Z-unset}]"\'; Z=9; bash -c \'echo "[$Z]"\'',
  ],
  // `sh` is dash (Ubuntu's /bin/sh), checked against the real dash: bash's syntax is its syntax
  // error (the lines before run), bash-only builtins, `${…}` forms and `[[` are not there.
  'sh is dash': [
    `sh -c '[[ a == a ]] && echo y'; echo rc=$?; sh -c 'echo a; [[ -n x ]]; echo rc=$?'`,
    `sh -c 'a=(1 2); echo \${a[1]}'; echo rc=$?; sh -c 'cat <<< hi'; echo rc=$?; sh -c 'diff <(echo a) <(echo b)'; echo rc=$?`,
    `sh -c 'for ((i=0;i<2;i++)); do echo $i; done'; echo rc=$?; sh -c 'function f { echo f; }; f'; echo rc=$?`,
    `sh -c 'x=abc; echo a; echo \${x//b/B}; echo c'; echo rc=$?; sh -c 'echo \${x:1} z'; sh -c 'echo \${!x}'; sh -c 'echo \${#x} \${x:-d} \${x%b*}'`,
    `sh -c 'echo {a,b}; (( 1 )) && echo y; echo $?'; sh -c 'source /dev/null; declare x=1; let x=2; echo "[$x]"'`,
    `sh -c 'x=a; [ $x == a ] && echo eq; echo rc=$?; [ 1 -eq x ]; [ a = a; [ a = a ] && echo same'`,
    `sh -c 'echo -e "a\\tb"; echo "a\\x41\\101\\0101|"; echo -n -e x; echo; echo -nn y; echo "p\\cq"; echo r'`,
    `sh -c 'a[1]=2; x+=1; nosuch; echo rc=$? $(echo [[ a ]]) $(( 1 + 2 )) "[$RANDOM]"' name`,
    'printf \'echo one\\nf() { [[ x ]]; }\\nf; echo $?\\necho two; a=(1)\\necho never\\n\' > s.sh; sh s.sh; echo rc=$?; bash -c \'a=(1 2); echo ${a[1]}\'',
    // dash has no pipefail: set, a special builtin, ends the script there (bash runs it).
    `sh -c 'set -euo pipefail; echo after'; echo rc=$?; sh -c 'set -o errexit -o nounset; echo ok'; bash -c 'set -o pipefail; echo bash'`,
  ],
  // bash's builtin usage lines carry no `bash:` (builtin_usage), their errors do.
  // bash's sv_optind: assigning OPTIND (its own value too), `local OPTIND` or unset restarts getopts in a cluster.
  'getopts restarts when OPTIND is set': [
    'getopts abc o -abc; OPTIND=1; getopts abc o -xyz; echo "$o $OPTIND"; getopts abc o -abc; OPTIND=$OPTIND; getopts abc o -abc; echo $o',
    'f() { local OPTIND o; getopts ab o -ab; echo $o; }; f; f; getopts ab o -ab; unset OPTIND; getopts ab o -ab; echo $o',
  ],
  'getopts and mapfile errors': [
    'getopts; echo $?; getopts a -o x; echo $?; getopts ab: o -x; echo "$? $o [${OPTARG-unset}]"',
    'mapfile -x; echo $?; mapfile -n; echo $?; mapfile -n x; echo $?',
  ],
  'printf number errors': [
    `printf '%d|' abc 3.5 '12 ' 0x 08 9999999999999999999 -9999999999999999999; echo " rc=$?"; printf '%f|' 3x; echo " rc=$?"; printf '%d\\n' 99999999999999999999; echo $?`,
    `printf '%x|%u\\n' 18446744073709551616 -18446744073709551616; echo $?`,
  ],
  'arithmetic errors': ['echo $((1 ? 2))', 'echo $((1 ? 2 3))'],
  'export and declare errors': [
    'export -f nope; echo $?; export -x; echo $?; f() { :; }; export -f f=1; echo $?',
    'declare -p x; echo $?; x=1; declare -p x nope; echo $?',
    'f() { echo fn; }; export -f f; sh -c f; echo $?',
  ],
  aliases: [
    ['alias hi="echo hello"', 'hi there'],
    ['alias ll="ls -l"', 'alias ll'],
    ['alias e=echo', 'e 1 && e 2', 'unalias e', 'type e 2>&1 | head -c 0; echo done'],
  ],
};

describe('the bash language, byte for byte against bash', () => {
  for (const [topic, list] of Object.entries(cases)) {
    it.each(list.map((c) => [Array.isArray(c) ? c.join(' ⏎ ') : c, c] as const))(`${topic}: %s`, (_name, c) => {
      const lines = Array.isArray(c) ? c : [c];
      expect(kubedrill(lines)).toBe(bash(lines));
    });
  }
});
