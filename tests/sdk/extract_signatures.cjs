// Reads an installed twenty-client-sdk and prints the /metadata schema's signatures as JSON:
// root fields (arguments with their GraphQL types, return type), input objects and enums.
// `node tests/sdk/extract_signatures.cjs PATH/TO/twenty-client-sdk > tests/sdk/metadata_signatures.json`
// regenerates the snapshot that tests/test_sdk_signatures.py compares twenty_lite against.
const fs = require('fs');
const path = require('path');

const root = process.argv[2];
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const source = fs.readFileSync(path.join(root, 'dist', 'metadata.cjs'), 'utf8');
const dts = fs.readFileSync(path.join(root, 'dist', 'metadata', 'generated', 'schema.d.ts'), 'utf8');

function balanced(text, start) {
  let depth = 0;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (c === '`' || c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      i = end;
    } else if (c === '{') depth += 1;
    else if (c === '}') {
      depth -= 1;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  throw new Error('unbalanced type map');
}

const map = eval(`(${balanced(source, source.indexOf('{scalars:'))})`);
const names = Object.keys(map.types);

function tsToGraphql(ts) {
  let t = ts.trim();
  const unwrap = (s) => (s.startsWith('(') && s.endsWith(')') ? s.slice(1, -1).trim() : s);
  t = unwrap(t);
  let nullable = false;
  if (t.endsWith('| null')) {
    nullable = true;
    t = unwrap(t.slice(0, -'| null'.length).trim());
  }
  let inner;
  if (t.endsWith('[]')) inner = `[${tsToGraphql(t.slice(0, -2))}]`;
  else {
    const m = t.match(/^Scalars\['(\w+)'\]$/);
    inner = m ? m[1] : t;
  }
  return nullable ? inner : `${inner}!`;
}

// Output types end with a `__typename` member; an optional output member is a nullable field.
const interfaces = {};
const outputs = {};
for (const m of dts.matchAll(/export interface (\w+) \{\n([\s\S]*?)\n\}/g)) {
  const fields = {};
  let output = false;
  for (const line of m[2].split('\n')) {
    const f = line.match(/^\s+(\w+)(\??): (.*);$/);
    if (!f) continue;
    if (f[1] === '__typename') output = true;
    else fields[f[1]] = f[2] && !f[3].endsWith('| null)') ? `(${f[3]} | null)` : f[3];
  }
  if (output) outputs[m[1]] = Object.fromEntries(Object.entries(fields).map(([f, ts]) => [f, tsToGraphql(ts)]));
  else interfaces[m[1]] = fields;
}
const enums = {};
for (const m of dts.matchAll(/export type (\w+) = ('[^;]*');/g)) {
  enums[m[1]] = [...m[2].matchAll(/'([^']+)'/g)].map((v) => v[1]);
}

function rootFields(typeName) {
  const out = {};
  for (const [field, spec] of Object.entries(map.types[typeName])) {
    if (field === '__typename') continue;
    const args = {};
    for (const [arg, [index, written]] of Object.entries(spec[1] || {})) args[arg] = written || names[index];
    out[field] = { args, type: outputs[typeName][field] };
  }
  return out;
}

const inputs = {};
for (const name of names) {
  const fields = interfaces[name];
  if (fields) inputs[name] = Object.fromEntries(Object.entries(fields).map(([f, ts]) => [f, tsToGraphql(ts)]));
}
// Arguments of fields below the root (Object.fields(paging, filter), …).
const fieldArgs = {};
for (const name of Object.keys(outputs)) {
  if (name === 'Query' || name === 'Mutation' || !map.types[name]) continue;
  for (const [field, spec] of Object.entries(map.types[name])) {
    if (!spec[1]) continue;
    const args = {};
    for (const [arg, [index, written]] of Object.entries(spec[1])) args[arg] = written || names[index];
    fieldArgs[`${name}.${field}`] = args;
  }
}
// The part of the schema issue 15 asks for: root fields about objects, fields, indexes, views, API keys,
// roles, permissions, webhooks and the workspace, with every input, output type and enum they reach.
const SCOPE = /object|field|index|view|apikey|role|webhook|permission|^currentWorkspace$|^updateWorkspace$/i;
const OUT_OF_SCOPE = /widget|pagelayout|mostlyEmpty|objectRecordCounts|createObjectEvent|agent|minimalMetadata|memberSettings|profilePicture|uploadFilesField|rowLevel|recordPermissions|toolIndex|systemPrompt|messageCampaign/i;
const query = {};
const mutation = {};
const reached = new Set();
function reach(typeString) {
  const name = typeString.replace(/[[\]!]/g, '');
  if (reached.has(name)) return;
  reached.add(name);
  for (const t of Object.values(inputs[name] || {})) reach(t);
  for (const [field, t] of Object.entries(outputs[name] || {})) {
    reach(t);
    for (const a of Object.values(fieldArgs[`${name}.${field}`] || {})) reach(a);
  }
}
for (const [kind, out] of [['Query', query], ['Mutation', mutation]]) {
  for (const [field, spec] of Object.entries(rootFields(kind))) {
    if (!SCOPE.test(field) || OUT_OF_SCOPE.test(field)) continue;
    out[field] = spec;
    reach(spec.type);
    for (const a of Object.values(spec.args)) reach(a);
  }
}
const pick = (table) => Object.fromEntries(Object.entries(table).filter(([name]) => reached.has(name)));
const result = {
  package: 'twenty-client-sdk',
  version: pkg.version,
  query,
  mutation,
  inputs: pick(inputs),
  outputs: pick(outputs),
  fieldArgs: Object.fromEntries(Object.entries(fieldArgs).filter(([k]) => reached.has(k.split('.')[0]))),
  enums: pick(enums),
};
process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
