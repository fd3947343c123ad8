/**
 * Stability: the logical IDs of every stateful resource in the default configurations are pinned here.
 *
 * A changed logical ID makes CloudFormation replace the resource: a new, empty file system, log group, queue,
 * bucket, key or repository, and the old one deleted or orphaned. If this test fails, the change would do that to
 * every user on upgrade; keep the construct IDs, or document the migration.
 */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  BackendService, FoundryCluster, FoundryTaskDefinition, ScheduledTask, SharedVolume, Schedule, WebLoadBalancer, WebService,
  WorkerService, WorkloadRepository,
} from '../src';
import { plainStack } from './support/stacks';

const STATEFUL = [
  'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::EFS::FileSystem', 'AWS::EFS::AccessPoint', 'AWS::SQS::Queue',
  'AWS::S3::Bucket', 'AWS::ECR::Repository', 'AWS::SNS::Topic',
];

const stack = plainStack('Stable');
const cluster = new FoundryCluster(stack, 'Cluster');
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const repository = new WorkloadRepository(stack, 'Repository');
const volume = new SharedVolume(stack, 'Data', { cluster });
const task = new FoundryTaskDefinition(stack, 'Task', { cluster, image: repository.image('1.0.0') });
task.addVolume(volume, '/data');
const alb = new WebLoadBalancer(stack, 'Alb', {
  cluster, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc'),
});
new WebService(stack, 'Web', { cluster, image, port: 8080, loadBalancer: alb });
new BackendService(stack, 'Backend', { cluster, image, port: 8080 });
new WorkerService(stack, 'Worker', { cluster, image });
new ScheduledTask(stack, 'Job', { cluster, image, schedule: Schedule.rate(Duration.hours(1)) });
const template = Template.fromStack(stack);

test('stateful resources keep their logical IDs', () => {
  const ids = Object.fromEntries(STATEFUL.map(type => [type, Object.keys(template.findResources(type)).sort()]));
  expect(ids).toEqual(PINNED);
});

test('stateful resources are retained when they leave the stack', () => {
  for (const type of ['AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::EFS::FileSystem', 'AWS::SQS::Queue', 'AWS::S3::Bucket', 'AWS::ECR::Repository']) {
    for (const [id, resource] of Object.entries<any>(template.findResources(type))) {
      expect([id, resource.DeletionPolicy]).toEqual([id, 'Retain']);
    }
  }
});

// Pinned on purpose, not a snapshot: changing an entry is a decision to replace users' data.
const PINNED: Record<string, string[]> = {
  'AWS::KMS::Key': ['ClusterKeyB247D7DD'],
  'AWS::Logs::LogGroup': [
    'AlbWebAclLogGroup59501C2D',
    'BackendTaskLogGroupED379B70',
    'ClusterExecLogGroup2AEF0708',
    'ClusterFlowLogGroup28D7828C',
    'ClusterStoppedTaskAlertsLogGroup1C19FFAD',
    'JobTaskLogGroup0D651DFC',
    'TaskLogGroup1B4092C9',
    'WebTaskLogGroup40E9A70D',
    'WorkerTaskLogGroupB42268EF',
  ],
  'AWS::EFS::FileSystem': ['DataFileSystemDBE65FE2'],
  'AWS::EFS::AccessPoint': ['DataAccessPoint58403C16'],
  'AWS::SQS::Queue': ['JobDeadLetterQueueC4697666', 'WorkerDeadLetterQueue1A7FDBB6', 'WorkerQueueE3D427EB'],
  'AWS::S3::Bucket': ['AlbAccessLogsBucketE3860E18', 'AlbServerAccessLogsBucket492AEDF0'],
  'AWS::ECR::Repository': ['Repository71B74A19'],
  'AWS::SNS::Topic': ['ClusterAlertTopic1DFC61EC'],
};
