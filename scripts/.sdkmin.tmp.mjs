import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { rollup } from 'rollup';
import { gzipSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
const root = process.cwd() + '/';
const sdk = await rollup({ input: `${root}packages/sdk/dist/index.js`, external: ['socket.io-client'], plugins: [nodeResolve({ browser: true }), terser({ ecma: 2022, module: true, format: { comments: false } })] });
const { output } = await sdk.generate({ format: 'es' });
for (const c of output) if (c.type==='chunk') { writeFileSync('/tmp/sdk-'+c.fileName, c.code); console.log(c.fileName, c.code.length, gzipSync(c.code,{level:9}).length, Object.keys(c.modules).map(m=>m.replace(root,'')+':'+c.modules[m].renderedLength).join(' ')); }
