import { minify } from 'terser';
import { readFileSync } from 'node:fs';
const r = await minify(readFileSync(process.argv[2],'utf8'), { ecma: 2022, module: true, format: { comments: false } });
console.log(r.code);
