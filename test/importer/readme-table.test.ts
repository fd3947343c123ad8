import * as fs from 'fs';
import * as path from 'path';
import { FIELD_REGISTRY, ManifestKind, registryTable } from '../../src/importer/field-registry';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf-8');

describe('the field registry and the README', () => {
  test('the README coverage table is the registry (regenerate it from registryTable() after a registry change)', () => {
    const begin = '<!-- copilot-field-registry:begin -->\n';
    const end = '\n<!-- copilot-field-registry:end -->';
    expect(README).toContain(begin);
    const table = README.slice(README.indexOf(begin) + begin.length, README.indexOf(end));
    expect(table).toBe(registryTable());
  });

  test('every entry says what the field becomes, what to do instead, or both; one entry per field and manifest type', () => {
    for (const entry of FIELD_REGISTRY) {
      expect(entry.becomes || entry.instead).toBeTruthy();
      expect(entry.kinds.length).toBeGreaterThan(0);
    }
    const keys = FIELD_REGISTRY.flatMap(e => e.kinds.map(k => `${k} ${e.field}`));
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('the registry covers the environment and every workload type this importer maps', () => {
    for (const kind of Object.values(ManifestKind)) {
      expect(FIELD_REGISTRY.some(e => e.kinds.includes(kind) && e.field === 'type')).toBe(true);
    }
  });
});
