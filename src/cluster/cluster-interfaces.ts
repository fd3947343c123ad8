import { RemovalPolicy } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';

/**
 * An ECS cluster with the VPC, encryption key, alert topic and retention settings that the library's cluster-level constructs use.
 *
 * `FoundryCluster` implements it, and it is what `Ec2Capacity`, `StoppedTaskAlerts` and `Capacity.strategies()`
 * accept. It describes what these constructs read from the cluster. `Ec2Capacity` also registers with its
 * cluster, which only a `FoundryCluster` supports: create EC2 capacity with `cluster.addEc2Capacity(id, options)`.
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
}

/**
 * An `Ec2Capacity`, as its clean teardown sees it (not public: only `Ec2Capacity` creates a teardown).
 */
export interface IEc2Capacity extends IConstruct {
  /** The cluster this capacity serves. */
  readonly cluster: IFoundryCluster;
  /** The Auto Scaling group. */
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** The ECS capacity provider. */
  readonly capacityProvider: ecs.AsgCapacityProvider;
}
