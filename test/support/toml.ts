/**
 * The TOML parser the host-settings proofs read Bottlerocket user data with (smol-toml, as Bottlerocket's settings
 * are TOML). smol-toml ships as an ES module only: Node 20.19 and later load it with `require()`, which is what the
 * CommonJS that ts-jest emits does, but TypeScript's CommonJS type check refuses a static import of it (TS1479), so
 * it is required here, with its own types.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const parseToml: typeof import('smol-toml', { with: { 'resolution-mode': 'import' } }).parse = require('smol-toml').parse;
