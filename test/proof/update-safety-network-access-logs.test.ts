/**
 * Update safety of the shared NLB access-log bucket: a stack whose TLS NetworkServices each had their own log bucket
 * and server-access-log bucket (the shape of 1.0 up to issue 13, synthesized into the fixtures in test/proof/fixtures/
 * just before the change) updates to one pair of buckets per stack. The services and their tasks are untouched, the load balancers are updated in place (the
 * logging attributes point to the shared bucket), and the old buckets leave the stack the way the cluster's
 * removalPolicy says: retained with their logs by default, emptied and deleted with DESTROY.
 */
import * as fs from 'fs';
import * as path from 'path';
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { RemovalPolicy } from 'aws-cdk-lib';
import { buildTlsPair } from './support/network-access-logs';
import { harmfulReplacements, readmeAnchors, synthTemplate, Template } from './support/update-safety';

const fixture = (removalPolicy: RemovalPolicy): Template => JSON.parse(fs.readFileSync(
  path.join(__dirname, 'fixtures', `network-tls-1.0-${removalPolicy}.template.json`), 'utf-8'));

const ofType = (t: Template, type: string) => Object.entries<any>(t.Resources).filter(([, r]) => r.Type === type);

describe.each([RemovalPolicy.RETAIN, RemovalPolicy.DESTROY])('two TLS NetworkServices from 1.0 (a bucket pair per load balancer), removalPolicy %s', (removalPolicy) => {
  let before: Template;
  let after: Template;
  let changes: Map<string, { impact: ResourceImpact; removal: boolean; addition: boolean; type: string; props: string[] }>;
  beforeAll(() => {
    before = fixture(removalPolicy);
    after = synthTemplate(stack => buildTlsPair(stack, removalPolicy));
    changes = new Map();
    fullDiff(before, after).resources.forEachDifference((id, c) => {
      changes.set(id, {
        impact: c.changeImpact,
        removal: c.isRemoval,
        addition: c.isAddition,
        type: (c.newResourceType ?? c.oldResourceType)!,
        props: Object.keys(c.propertyUpdates),
      });
    });
  });

  test('the fixture is the 1.0 shape: two log buckets per load balancer; now two per stack', () => {
    expect(ofType(before, 'AWS::S3::Bucket')).toHaveLength(4);
    expect(ofType(before, 'AWS::S3::BucketPolicy')).toHaveLength(4);
    expect(ofType(after, 'AWS::S3::Bucket')).toHaveLength(2);
    expect(ofType(after, 'AWS::S3::BucketPolicy')).toHaveLength(2);
  });

  test('the services are neither replaced nor removed, and nothing but the load balancers refers to the buckets', () => {
    const services = ofType(before, 'AWS::ECS::Service').map(([id]) => id);
    expect(services).toHaveLength(2);
    for (const id of services) {
      const c = changes.get(id);
      const replaced = c?.impact === ResourceImpact.WILL_REPLACE || c?.impact === ResourceImpact.MAY_REPLACE;
      expect([id, c?.removal ?? false, replaced]).toEqual([id, false, false]);
    }
    // The bucket move reaches no other resource: besides the buckets themselves (and what empties them), only the load
    // balancers' attributes name a bucket, before and after. (Other differences between the 1.0 fixture and today's
    // template come from other changes of the library, not from this one.)
    const buckets = [...ofType(before, 'AWS::S3::Bucket'), ...ofType(after, 'AWS::S3::Bucket')].map(([id]) => id);
    const bucketShaped = new Set(['AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'Custom::S3AutoDeleteObjects', 'AWS::ElasticLoadBalancingV2::LoadBalancer']);
    const naming = [...Object.entries<any>(before.Resources), ...Object.entries<any>(after.Resources)]
      .filter(([id, r]) => !bucketShaped.has(r.Type) && !id.startsWith('CustomS3AutoDeleteObjectsCustomResourceProvider'))
      .filter(([, r]) => buckets.some(b => JSON.stringify(r).includes(`"${b}"`)))
      .map(([id, r]) => `${id} (${r.Type})`);
    expect(naming).toEqual([]);
  });

  test('the load balancers are updated in place: only their logging attributes change, to the shared bucket', () => {
    const loadBalancers = ofType(before, 'AWS::ElasticLoadBalancingV2::LoadBalancer').map(([id]) => id);
    expect(loadBalancers).toHaveLength(2);
    for (const id of loadBalancers) {
      const c = changes.get(id)!;
      expect([id, c.impact, c.removal, c.addition]).toEqual([id, ResourceImpact.WILL_UPDATE, false, false]);
      expect(c.props).toEqual(['LoadBalancerAttributes']);
      const attributes = after.Resources[id].Properties.LoadBalancerAttributes as Array<{ Key: string; Value: unknown }>;
      const [shared] = ofType(after, 'AWS::S3::Bucket').filter(([, r]) => r.Properties.LoggingConfiguration);
      expect(attributes.find(a => a.Key === 'access_logs.s3.bucket')?.Value).toEqual({ Ref: shared[0] });
      expect(attributes.find(a => a.Key === 'access_logs.s3.enabled')?.Value).toBe('true');
    }
  });

  test('the only resources that leave are the old buckets and their policies, as the removal policy says', () => {
    const removed = [...changes].filter(([, c]) => c.removal);
    expect(removed.map(([, c]) => c.type).sort()).toEqual(removalPolicy === RemovalPolicy.DESTROY
      ? ['AWS::S3::Bucket', 'AWS::S3::Bucket', 'AWS::S3::Bucket', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::S3::BucketPolicy',
        'AWS::S3::BucketPolicy', 'AWS::S3::BucketPolicy', 'Custom::S3AutoDeleteObjects', 'Custom::S3AutoDeleteObjects',
        'Custom::S3AutoDeleteObjects', 'Custom::S3AutoDeleteObjects']
      : ['AWS::S3::Bucket', 'AWS::S3::Bucket', 'AWS::S3::Bucket', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::S3::BucketPolicy',
        'AWS::S3::BucketPolicy', 'AWS::S3::BucketPolicy']);
    // What CloudFormation does with a removed bucket is the DeletionPolicy of the template deployed before.
    const policies = removed.filter(([, c]) => c.type === 'AWS::S3::Bucket').map(([id]) => before.Resources[id].DeletionPolicy);
    expect(new Set(policies)).toEqual(new Set([removalPolicy === RemovalPolicy.DESTROY ? 'Delete' : 'Retain']));
  });

  test('the harness sees the buckets move (a new logical ID), which the README documents as a migration', () => {
    const moved = harmfulReplacements(before, after);
    expect(new Set(moved.map(r => r.type))).toEqual(new Set(['AWS::S3::Bucket']));
    expect(readmeAnchors().has('#updates-that-replace-resources')).toBe(true);
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf-8');
    expect(readme).toMatch(/upgrading a TLS `NetworkService` from 1\.0/);
  });
});
