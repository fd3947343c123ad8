import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { invalidProp } from './validation';
import { acknowledgeLogBucket } from '../compliance/acknowledgements';

/**
 * A bucket for load balancer access logs: SSE-S3 (the only encryption ELB log delivery supports), TLS only,
 * no public access, versioned, expiring after the retention, retained on stack deletion. Its own server access
 * logs go to a second, terminal bucket.
 */
export function createAccessLogsBucket(scope: Construct, retention: Duration): s3.Bucket {
  if (Token.isUnresolved(Stack.of(scope).region)) {
    // ELB log delivery writes as a per-region principal, which the bucket policy must name.
    invalidProp(scope, 'stack region', Stack.of(scope).region,
      "Load balancer access logs need the stack's region: give the stack env: { region: 'us-east-1' } (or process.env.CDK_DEFAULT_REGION).");
  }
  const lifecycleRules: s3.LifecycleRule[] = [{
    id: 'ExpireLogs',
    expiration: retention,
    noncurrentVersionExpiration: Duration.days(7),
    abortIncompleteMultipartUploadAfter: Duration.days(1),
  }];
  const common: s3.BucketProps = {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    lifecycleRules,
    removalPolicy: RemovalPolicy.RETAIN,
  };
  // Without the bucket-policy feature flag, aws-cdk-lib grants S3 log delivery through an ACL on this bucket.
  const serverAccessLogs = new s3.Bucket(scope, 'ServerAccessLogsBucket', { ...common, objectOwnership: undefined });
  acknowledgeLogBucket(serverAccessLogs, true);
  const bucket = new s3.Bucket(scope, 'AccessLogsBucket', {
    ...common,
    serverAccessLogsBucket: serverAccessLogs,
    serverAccessLogsPrefix: 'access-logs-bucket/',
  });
  acknowledgeLogBucket(bucket, false);
  return bucket;
}
