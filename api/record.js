// Records the public API baseline that `npx projen api:check` compares the build with (jsii-diff).
//
// Run through `npx projen api:record` after `npx projen compile`: copies the jsii assembly (.jsii) here and writes
// a package.json beside it that names the assembly's jsii dependencies, so that jsii-diff can load this folder as
// a package and resolve aws-cdk-lib and constructs from the project's node_modules.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const assemblyFile = path.join(root, '.jsii');
if (!fs.existsSync(assemblyFile)) {
  console.error('api:record: no .jsii in the project root: run `npx projen compile` first');
  process.exit(1);
}
const assembly = JSON.parse(fs.readFileSync(assemblyFile, 'utf-8'));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf-8'));

fs.copyFileSync(assemblyFile, path.join(__dirname, '.jsii'));
const baseline = {
  '//': 'The recorded public API of cdk-ecs-foundry (.jsii beside this file), written by `npx projen api:record`. Not a package: jsii-diff reads it as one.',
  // Named apart from the library so that tools that index package.json files (Jest) see no duplicate.
  name: `${pkg.name}-api-baseline`,
  version: assembly.version,
  private: true,
  jsii: {},
  peerDependencies: Object.fromEntries(Object.keys(assembly.dependencies ?? {}).map((name) => [name, assembly.dependencies[name]])),
};
fs.writeFileSync(path.join(__dirname, 'package.json'), `${JSON.stringify(baseline, undefined, 2)}\n`);
console.log(`api:record: recorded ${Object.keys(assembly.types ?? {}).length} public types of ${assembly.name} (fingerprint ${assembly.fingerprint}) in api/.jsii`);
