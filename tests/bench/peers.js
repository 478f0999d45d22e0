// peers.js TOOL LIST - lint every file named in LIST (one path a line) with
// the Node.js Dockerfile linter TOOL, in this one process, through the
// library entry point its own command-line tool calls; print the number of
// findings. Used by peers.sh, for the corpus and for a single file alike.
'use strict';
const fs = require('fs');
const path = require('path');

const [tool, list] = process.argv.slice(2);
const files = fs.readFileSync(list, 'utf8').split('\n').filter(Boolean);
const lint = {
  dockerfilelint: () => {
    const l = require('dockerfilelint');
    return (f) => l.run(path.dirname(f), fs.readFileSync(f, 'utf8')).length;
  },
  'dockerfile-utils': () => {
    const l = require('dockerfile-utils');
    return (f) => l.validate(fs.readFileSync(f, 'utf8')).length;
  },
  dockerfile_lint: () => {
    const Validator = require('dockerfile_lint');
    const v = new Validator();
    return (f) => {
      const r = v.validate(fs.readFileSync(f, 'utf8'));
      return r.error.count + r.warn.count + r.info.count;
    };
  },
}[tool];
if (!lint) {
  console.error(`peers.js: unknown tool '${tool}'`);
  process.exit(2);
}
const one = lint();
let findings = 0;
for (const f of files) findings += one(f);
console.log(findings);
