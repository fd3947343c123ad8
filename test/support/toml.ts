/**
 * The TOML parser the host-settings proofs read Bottlerocket user data with (smol-toml; Bottlerocket's settings are
 * TOML). smol-toml's package exports a CommonJS build for `require` (what the CommonJS that ts-jest emits loads), but
 * its type declarations are those of its ES module, so TypeScript's CommonJS check refuses a static import of it
 * (TS1479): it is required here, typed with the declarations TypeScript resolves for an import.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const parseToml: typeof import('smol-toml', { with: { 'resolution-mode': 'import' } }).parse = require('smol-toml').parse;
