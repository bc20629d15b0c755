// The server's CSP forbids eval: zod must not probe `new Function` to compile its parsers.
import { z } from 'zod';

z.config({ jitless: true });
