// `npm start`: builds the stale parts of dist/ (scripts/build.mjs), then runs `kubedrill serve`
// in this same process. One Node start, not two: a second process for the staleness check
// alone cost about 0.3 s of every start.
import { buildReported } from './build.mjs';

await buildReported(undefined, { ifStale: true });
process.argv.splice(2, 0, 'serve');
await import('../bin/kubedrill.js');
