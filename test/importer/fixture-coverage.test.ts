import * as fs from 'fs';
import * as path from 'path';
import { FIELD_REGISTRY, fieldMatches, ManifestKind } from '../../src/importer/field-registry';

/*
 * test/fixtures/copilot/FIELDS.md lists every field of Copilot's manifest reference per manifest type (written from
 * the reference by another hand than the importer's). Each must be known to the importer's registry: carried, or
 * reported with what to do instead, itself or through the field that holds it (e.g. `logging.destination` under
 * `logging`), or be a mapping whose fields the registry lists (e.g. `storage.volumes`).
 */

const FIELDS = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'copilot', 'FIELDS.md'), 'utf-8');
const KINDS = Object.values(ManifestKind) as string[];

/** (manifest type, registry-style path) of each table row: `<name>` placeholders as '*', topic list items as '[]'. */
const rows = FIELDS.split('\n')
  .map(line => line.split('|').map(c => c.trim()))
  .filter(cells => KINDS.includes(cells[1]) && /^`[^`]+`$/.test(cells[2]))
  .map(cells => ({ kind: cells[1] as ManifestKind, field: cells[2].slice(1, -1).replace(/<[^>]+>/g, '*').replace(/\.topic\b/g, '[]') }));

function known(kind: ManifestKind, field: string): boolean {
  const entries = FIELD_REGISTRY.filter(e => e.kinds.includes(kind));
  const plain = (f: string) => f.replace(/\[\]/g, '');
  const segments = plain(field).split('.');
  for (let n = segments.length; n > 0; n--) {
    const prefix = segments.slice(0, n).join('.');
    if (entries.some(e => fieldMatches(plain(e.field), prefix))) return true;
  }
  return entries.some(e => plain(e.field).startsWith(`${plain(field)}.`) || plain(e.field).split('.').length > segments.length
    && fieldMatches(plain(field), plain(e.field).split('.').slice(0, segments.length).join('.')));
}

test('FIELDS.md lists the reference (hundreds of fields, every manifest type)', () => {
  expect(rows.length).toBeGreaterThan(500);
  expect(new Set(rows.map(r => r.kind))).toEqual(new Set(KINDS));
});

test('every field of the Copilot manifest reference is known to the importer', () => {
  expect(rows.filter(r => !known(r.kind, r.field)).map(r => `${r.kind}: ${r.field}`)).toEqual([]);
});

test('a field the registry does not know is found', () => {
  expect(known(ManifestKind.WEB, 'http.bogus')).toBe(false);
  expect(known(ManifestKind.BACKEND, 'http.bogus')).toBe(true); // a backend's whole http block is reported
  expect(known(ManifestKind.JOB, 'colour')).toBe(false);
});
