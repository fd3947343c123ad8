/**
 * Jest snapshot serializer that masks asset hashes (64 hex characters, alone or in S3 keys such as
 * `<hash>.zip`), so that snapshots change only when a template changes, not when aws-cdk-lib rebuilds
 * an asset bundle.
 */
const HASH = /[0-9a-f]{64}/g;
const MASK = '[ASSET_HASH]';

module.exports = {
  test(value: unknown): boolean {
    return typeof value === 'string' && /[0-9a-f]{64}/.test(value);
  },
  serialize(value: string): string {
    return JSON.stringify(value.replace(HASH, MASK));
  },
};
