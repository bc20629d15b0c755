// The mark the shell's `sleep` writes into a container process's output: the process's
// clock after it (exec/process.ts times each line by the mark before it, then cuts the marks
// out). Its own module: the builtins and the process runner both need it, and neither may
// import the other (an import cycle left a builtin undefined while the registry was built).

/** The mark for the process clock at `elapsedMs`. */
export const processClockMark = (elapsedMs: number): string => `\u0000${elapsedMs}\u0000`;
