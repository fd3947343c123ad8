#!/usr/bin/env node
/**
 * Keep package-lock.json usable by `npm ci` on every platform.
 *
 * The npm registry mirror these machines use serves only the Linux builds of some native packages
 * (for example @unrs/resolver-binding-*, used by jest 30 and eslint-import-resolver-typescript). npm then
 * writes a lockfile whose optionalDependencies point at packages it has no entry for, and `npm ci` refuses it
 * ("Missing: ... from lock file"). This script adds an entry for each missing optional platform binding, with
 * the os/cpu/libc its name declares, so npm ci skips it on non-matching platforms exactly as with a full lock.
 *
 * Run after any `npm install` that rewrites the lockfile: `node .ci/lockfile-platform-stubs.js`.
 */
const fs = require('fs');
const path = require('path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf-8'));
const packages = lock.packages;

const OS = { android: 'android', darwin: 'darwin', freebsd: 'freebsd', linux: 'linux', win32: 'win32', openharmony: 'openharmony' };
const CPU = { 'arm-eabi': 'arm', arm: 'arm', arm64: 'arm64', x64: 'x64', ia32: 'ia32', loong64: 'loong64', ppc64: 'ppc64', riscv64: 'riscv64', s390x: 's390x', wasm32: 'wasm32' };

function platformOf(name) {
  const m = /-(android|darwin|freebsd|linux|win32|openharmony)-([a-z0-9]+)(?:-(eabi|gnueabihf|musleabihf|gnu|musl|msvc))?$/.exec(name);
  if (!m) return undefined;
  const [, os, cpu, abi] = m;
  const entry = { os: [OS[os]], cpu: [CPU[cpu] ?? cpu] };
  if (abi === 'gnu' || abi === 'gnueabihf') entry.libc = ['glibc'];
  if (abi === 'musl' || abi === 'musleabihf') entry.libc = ['musl'];
  return entry;
}

let added = 0;
for (const [location, pkg] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const base = location === '' ? 'node_modules' : `${location}/node_modules`;
    const candidates = [`${base}/${dep}`, `node_modules/${dep}`];
    if (candidates.some(c => packages[c])) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    packages[`node_modules/${dep}`] = { version, ...platform, dev: pkg.dev, optional: true };
    added++;
  }
}

const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`lockfile-platform-stubs: added ${added} optional platform entr${added === 1 ? 'y' : 'ies'}`);
