// Runs one DuckDB query for Go tests: reads {"sql": "...", "args": [...]}
// on stdin and prints the rows as a JSON array of objects on stdout.
// The module is resolved from WHARF_NODE_MODULES (…/node/node_modules).
const { createRequire } = require('module');
const path = require('path');
const req = createRequire(path.join(process.env.WHARF_NODE_MODULES, 'x.js'));
const { DuckDBInstance } = req('@duckdb/node-api');

let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', async () => {
  try {
    const { sql, args } = JSON.parse(input);
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    const reader = args && args.length ? await con.runAndReadAll(sql, args) : await con.runAndReadAll(sql);
    process.stdout.write(JSON.stringify(reader.getRowObjectsJson()));
  } catch (e) {
    process.stderr.write(String(e && e.stack || e));
    process.exit(1);
  }
});
