import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { importCopilot, ImportResult } from '../../../src/importer/import-copilot';
import { ReportedField } from '../../../src/importer/manifest-fields';

/** A Copilot workspace written from inline files (paths relative to copilot/), in a new temporary directory. */
export function writeWorkspace(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'copilot-ws-'));
  const all = { '.workspace': 'application: shop\n', 'environments/test/manifest.yml': 'name: test\ntype: Environment\n', ...files };
  for (const [file, text] of Object.entries(all)) {
    const full = path.join(root, 'copilot', file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
  }
  return root;
}

/** Import an inline workspace; the app would go to <root>/cdk-app. */
export function importInline(files: Record<string, string>, env: NodeJS.ProcessEnv = {}): ImportResult & { root: string; stack: string } {
  const root = writeWorkspace(files);
  const result = importCopilot({ copilotDir: root, outDir: path.join(root, 'cdk-app'), env });
  return { ...result, root, stack: result.files['lib/test-stack.ts'] };
}

/** A workload manifest: name, type and the given YAML body. */
export function manifest(name: string, type: string, body: string): Record<string, string> {
  return { [`${name}/manifest.yml`]: `name: ${name}\ntype: ${type}\n${body}` };
}

/** The reports of one field. */
export function reportsOf(reported: ReportedField[], field: string): ReportedField[] {
  return reported.filter(r => r.field === field);
}
