import { RemovalPolicy } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';

/**
 * A `FoundryCluster`, as its EC2 capacity, alerts and teardown see it.
 *
 * `FoundryCluster` is the one implementation. The constructs beside it take this interface, so that the cluster
 * can create them without the files importing each other.
 */
export interface IFoundryCluster extends IConstruct {
  /** The cluster's VPC. */
  readonly vpc: ec2.IVpc;
  /** The ECS cluster. */
  readonly ecsCluster: ecs.Cluster;
  /** The KMS key for logs, ECS Exec sessions and the alert topic. */
  readonly encryptionKey: kms.IKey;
  /** The SNS topic that receives the cluster's alerts. */
  readonly alertTopic: sns.ITopic;
  /** Retention of the cluster's log groups. */
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the cluster's stateful resources. */
  readonly removalPolicy: RemovalPolicy;

  /**
   * Record EC2 capacity added to the cluster.
   *
   * @internal
   */
  _registerEc2Capacity(capacity: IEc2Capacity): void;
}

/**
 * An `Ec2Capacity`, as its clean teardown sees it.
 */
export interface IEc2Capacity extends IConstruct {
  /** The cluster this capacity serves. */
  readonly cluster: IFoundryCluster;
  /** The Auto Scaling group. */
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** The ECS capacity provider. */
  readonly capacityProvider: ecs.AsgCapacityProvider;
}
