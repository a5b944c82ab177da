#!/usr/bin/env node
// Runs DuckDB SQL with @duckdb/node-api (npm) for the tutorial: SQL files are
// executed in order, inline SQL arguments are executed and their rows printed
// as a table.
//
//   node examples/duckdb/run.cjs [--db FILE] [-v NAME=VALUE ...] FILE.sql|SQL ...
//
//   -v NAME=VALUE  SET VARIABLE NAME = 'VALUE' first (read with getvariable)
//   --db FILE      a DuckDB database file (default: in memory)
//   --json         print rows as JSON instead of a table
//   --unaligned    print rows as comma-separated values without a header,
//                  NULL as empty (like psql -At -F,)
//
// @duckdb/node-api is looked up in $WHARF_NODE/node_modules (what
// scripts/install-tools.sh installs, ~/.cache/wharf/node by default), then
// in the usual Node places.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { createRequire } = require('module');

function loadDuckDB() {
  const prefixes = [process.env.WHARF_NODE, path.join(os.homedir(), '.cache', 'wharf', 'node')].filter(Boolean);
  for (const p of prefixes) {
    const modules = path.join(p, 'node_modules');
    if (fs.existsSync(path.join(modules, '@duckdb', 'node-api'))) {
      return createRequire(path.join(modules, 'x.js'))('@duckdb/node-api');
    }
  }
  try {
    return require('@duckdb/node-api');
  } catch (e) {
    console.error('run.cjs: @duckdb/node-api not found; install it with scripts/install-tools.sh ' +
      '(npm install --prefix ~/.cache/wharf/node @duckdb/node-api)');
    process.exit(2);
  }
}

function sqlString(s) { return "'" + s.replace(/'/g, "''") + "'"; }

function printTable(rows, columns) {
  if (rows.length === 0) {
    console.log('(no rows)');
    return;
  }
  const cell = (v) => (v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals) => vals.map((v, i) => v.padEnd(widths[i])).join(' | ').trimEnd();
  console.log(line(columns));
  console.log(widths.map((w) => '-'.repeat(w)).join('-+-'));
  for (const r of rows) console.log(line(columns.map((c) => cell(r[c]))));
  console.log(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
}

async function main(argv) {
  let db = ':memory:';
  let json = false;
  let unaligned = false;
  const vars = [];
  const steps = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--db') db = argv[++i];
    else if (a === '--json') json = true;
    else if (a === '--unaligned') unaligned = true;
    else if (a === '-v') {
      const kv = argv[++i] || '';
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new Error(`-v wants NAME=VALUE, got ${JSON.stringify(kv)}`);
      vars.push(`SET VARIABLE ${kv.slice(0, eq)} = ${sqlString(kv.slice(eq + 1))};`);
    } else if (fs.existsSync(a) && fs.statSync(a).isFile()) steps.push({ file: a, sql: fs.readFileSync(a, 'utf8') });
    else steps.push({ sql: a });
  }
  if (steps.length === 0) throw new Error('usage: run.cjs [--db FILE] [-v NAME=VALUE ...] FILE.sql|SQL ...');
  const { DuckDBInstance } = loadDuckDB();
  const inst = await DuckDBInstance.create(db);
  const con = await inst.connect();
  if (vars.length) await con.run(vars.join('\n'));
  for (const s of steps) {
    try {
      const reader = await con.runAndReadAll(s.sql);
      if (s.file) continue;
      const rows = reader.getRowObjectsJson();
      if (json) console.log(JSON.stringify(rows));
      else if (unaligned) {
        for (const r of rows) console.log(reader.columnNames().map((c) => (r[c] === null ? '' : String(r[c]))).join(','));
      }
      else printTable(rows, reader.columnNames());
    } catch (e) {
      throw new Error(`${s.file || 'SQL'}: ${e.message}`);
    }
  }
}

main(process.argv.slice(2)).catch((e) => {
  console.error('run.cjs: ' + (e && e.message ? e.message : e));
  process.exit(1);
});
