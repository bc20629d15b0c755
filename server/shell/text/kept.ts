// Compiling a typed program takes longer than running it over a few hundred lines (a sed
// `s/^ *//` or a jq filter in a pipeline was mostly compilation), and players type the same
// programs again and again: compiled programs, which hold no run state, are kept by source,
// the most recently used last; only short sources, so what is kept stays small. Whatever a
// compilation is charged to a line's budget is charged by the caller either way, so a replay
// spends the same steps whether or not the program was kept.

export class KeptPrograms<T> {
  private readonly kept = new Map<string, T>();

  constructor(private readonly maxKept = 256, private readonly maxSource = 256) {}

  /** The program compiled from `source`, kept or compiled now; a compile that throws keeps nothing. */
  get(source: string, compile: () => T): T {
    if (source.length > this.maxSource) return compile();
    let program = this.kept.get(source);
    if (program !== undefined) this.kept.delete(source);
    else program = compile();
    this.kept.set(source, program);
    if (this.kept.size > this.maxKept) this.kept.delete(this.kept.keys().next().value!);
    return program;
  }
}
