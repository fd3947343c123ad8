/**
 * Turns a synthesized CloudFormation template into concrete JSON: every intrinsic that names a resource of the
 * template resolves to a deterministic fake value built from the resource type and logical ID, in account
 * 123456789012, region us-east-1, partition aws. Policies then read as IAM would see them after deployment.
 */
import { ACCOUNT, PARTITION, REGION } from './iam-cases';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: any;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { Default?: unknown }>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

const arn = (service: string, resource: string, region: string = REGION, account: string = ACCOUNT) =>
  `arn:${PARTITION}:${service}:${region}:${account}:${resource}`;

/** A template with the values its resources would have once deployed. */
export class ResolvedTemplate {
  constructor(public readonly stackName: string, public readonly template: CfnTemplate) {}

  public get resources(): Record<string, CfnResource> {
    return this.template.Resources;
  }

  /** Logical IDs of the resources of one type. */
  public ofType(type: string): string[] {
    return Object.entries(this.resources).filter(([, r]) => r.Type === type).map(([id]) => id);
  }

  /** The one resource of a type whose logical ID starts with the prefix (construct IDs, without the hash). */
  public find(type: string, prefix: string): string {
    const matches = this.ofType(type).filter(id => id.startsWith(prefix));
    if (matches.length !== 1) {
      throw new Error(`${this.stackName}: expected one ${type} starting with '${prefix}', found [${matches.join(', ')}]`);
    }
    return matches[0];
  }

  /** The properties of a resource with every intrinsic resolved. */
  public properties(logicalId: string): any {
    return this.resolve(this.resource(logicalId).Properties ?? {});
  }

  public resource(logicalId: string): CfnResource {
    const r = this.resources[logicalId];
    if (!r) throw new Error(`${this.stackName}: no resource ${logicalId}`);
    return r;
  }

  /** Resolve every intrinsic function in a value. */
  public resolve(value: any): any {
    if (Array.isArray(value)) {
      return value.map(v => this.resolve(v)).filter(v => v !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return this.intrinsic(keys[0], value[keys[0]]);
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = this.resolve(value[k]);
      if (v !== NO_VALUE) out[k] = v;
    }
    return out;
  }

  private intrinsic(fn: string, arg: any): any {
    switch (fn) {
      case 'Ref': return this.ref(arg);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg : String(arg).split(/\.(.+)/);
        return this.getAtt(id, this.resolve(attr));
      }
      case 'Fn::Join': {
        const [sep, parts] = arg;
        return (this.resolve(parts) as unknown[]).map(p => String(p)).join(sep);
      }
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
        const resolvedVars = this.resolve(vars ?? {});
        return String(text).replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
          if (name in resolvedVars) return String(resolvedVars[name]);
          const [id, attr] = name.split(/\.(.+)/);
          return String(attr ? this.getAtt(id, attr) : this.ref(id));
        });
      }
      case 'Fn::Select': return (this.resolve(arg[1]) as unknown[])[Number(this.resolve(arg[0]))];
      case 'Fn::Split': return String(this.resolve(arg[1])).split(arg[0]);
      case 'Fn::Base64': return this.resolve(arg);
      case 'Fn::GetAZs': return [`${REGION}a`, `${REGION}b`, `${REGION}c`];
      case 'Fn::ImportValue': return `imported-${this.resolve(arg)}`;
      case 'Fn::FindInMap': {
        const [map, top, second] = this.resolve(arg);
        return this.template.Mappings?.[map]?.[top]?.[second];
      }
      default: throw new Error(`${this.stackName}: unsupported intrinsic ${fn}`);
    }
  }

  /** The value of `Ref` on a resource, parameter or pseudo parameter. */
  public ref(id: string): any {
    switch (id) {
      case 'AWS::Partition': return PARTITION;
      case 'AWS::Region': return REGION;
      case 'AWS::AccountId': return ACCOUNT;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return this.stackName;
      case 'AWS::StackId': return arn('cloudformation', `stack/${this.stackName}/11111111-2222-3333-4444-555555555555`);
      case 'AWS::NoValue': return NO_VALUE;
    }
    const parameter = this.template.Parameters?.[id];
    if (parameter) return parameter.Default ?? `parameter-${id}`;
    const r = this.resource(id);
    const p = r.Properties ?? {};
    const lower = id.toLowerCase();
    switch (r.Type) {
      case 'AWS::IAM::Role': return this.resolve(p.RoleName) ?? this.physicalName(id, 64);
      case 'AWS::IAM::ManagedPolicy': return `arn:${PARTITION}:iam::${ACCOUNT}:policy/${this.resolve(p.ManagedPolicyName) ?? id}`;
      case 'AWS::SQS::Queue': return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${this.queueName(id)}`;
      case 'AWS::SNS::Topic': return arn('sns', this.resolve(p.TopicName) ?? this.physicalName(id, 256));
      case 'AWS::KMS::Key': return `key-${lower}`;
      case 'AWS::Logs::LogGroup': return this.resolve(p.LogGroupName) ?? this.physicalName(id, 512);
      case 'AWS::S3::Bucket': return this.resolve(p.BucketName) ?? lower;
      case 'AWS::ECS::Cluster': return this.resolve(p.ClusterName) ?? this.physicalName(id, 255);
      case 'AWS::ECS::TaskDefinition': return arn('ecs', `task-definition/${this.resolve(p.Family) ?? id}:1`);
      case 'AWS::ECS::Service': return arn('ecs', `service/${this.resolve(p.Cluster)}/${this.resolve(p.ServiceName) ?? id}`);
      case 'AWS::EFS::FileSystem': return `fs-${lower}`;
      case 'AWS::EFS::AccessPoint': return `fsap-${lower}`;
      case 'AWS::ECR::Repository': return this.resolve(p.RepositoryName) ?? lower;
      case 'AWS::SecretsManager::Secret': return arn('secretsmanager', `secret:${this.resolve(p.Name) ?? this.physicalName(id, 256)}-AbCdEf`);
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
        return arn('elasticloadbalancing', `loadbalancer/${p.Type === 'network' ? 'net' : 'app'}/${id}/0123456789abcdef`);
      case 'AWS::ElasticLoadBalancingV2::TargetGroup': return arn('elasticloadbalancing', `targetgroup/${id}/0123456789abcdef`);
      case 'AWS::ElasticLoadBalancingV2::Listener':
        return `${String(this.resolve(p.LoadBalancerArn)).replace(':loadbalancer/', ':listener/')}/${lower}`;
      case 'AWS::ElasticLoadBalancingV2::ListenerRule':
        return `${String(this.resolve(p.ListenerArn)).replace(':listener/', ':listener-rule/')}/${lower}`;
      case 'AWS::SSM::Parameter': return this.resolve(p.Name) ?? id;
      default: return id;
    }
  }

  /** The value of `Fn::GetAtt` on a resource. */
  public getAtt(id: string, attr: string): any {
    const r = this.resource(id);
    const p = r.Properties ?? {};
    const name = () => this.ref(id);
    switch (`${r.Type}.${attr}`) {
      case 'AWS::IAM::Role.Arn': return `arn:${PARTITION}:iam::${ACCOUNT}:role/${name()}`;
      case 'AWS::IAM::Role.RoleId': return `AROA${id.toUpperCase()}`;
      case 'AWS::IAM::InstanceProfile.Arn': return `arn:${PARTITION}:iam::${ACCOUNT}:instance-profile/${id}`;
      case 'AWS::SQS::Queue.Arn': return arn('sqs', this.queueName(id));
      case 'AWS::SQS::Queue.QueueName': return this.queueName(id);
      case 'AWS::SQS::Queue.QueueUrl': return name();
      case 'AWS::SNS::Topic.TopicArn': return name();
      case 'AWS::SNS::Topic.TopicName': return String(name()).split(':').pop();
      case 'AWS::KMS::Key.Arn': return arn('kms', `key/${name()}`);
      case 'AWS::KMS::Key.KeyId': return name();
      case 'AWS::Logs::LogGroup.Arn': return arn('logs', `log-group:${name()}:*`);
      case 'AWS::S3::Bucket.Arn': return `arn:${PARTITION}:s3:::${name()}`;
      case 'AWS::S3::Bucket.DomainName': return `${name()}.s3.amazonaws.com`;
      case 'AWS::S3::Bucket.RegionalDomainName': return `${name()}.s3.${REGION}.amazonaws.com`;
      case 'AWS::ECS::Cluster.Arn': return arn('ecs', `cluster/${name()}`);
      case 'AWS::ECS::TaskDefinition.TaskDefinitionArn': return name();
      case 'AWS::ECS::Service.Name': return String(name()).split('/').pop();
      case 'AWS::ECS::Service.ServiceArn': return name();
      case 'AWS::EFS::FileSystem.Arn': return arn('elasticfilesystem', `file-system/${name()}`);
      case 'AWS::EFS::FileSystem.FileSystemId': return name();
      case 'AWS::EFS::AccessPoint.Arn': return arn('elasticfilesystem', `access-point/${name()}`);
      case 'AWS::EFS::AccessPoint.AccessPointId': return name();
      case 'AWS::ECR::Repository.Arn': return arn('ecr', `repository/${name()}`);
      case 'AWS::ECR::Repository.RepositoryUri': return `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name()}`;
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer.LoadBalancerFullName':
        return String(name()).split(':loadbalancer/')[1];
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer.LoadBalancerName': return id;
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer.DNSName': return `${id.toLowerCase()}.${REGION}.elb.amazonaws.com`;
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer.CanonicalHostedZoneID': return 'Z35SXDOTRQ7X7K';
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer.SecurityGroups': return this.resolve(p.SecurityGroups);
      case 'AWS::ElasticLoadBalancingV2::TargetGroup.TargetGroupFullName': return String(name()).split(':')[5];
      case 'AWS::ElasticLoadBalancingV2::TargetGroup.TargetGroupName': return id;
      case 'AWS::ElasticLoadBalancingV2::TargetGroup.TargetGroupArn': return name();
      case 'AWS::ElasticLoadBalancingV2::Listener.ListenerArn': return name();
      case 'AWS::ElasticLoadBalancingV2::ListenerRule.RuleArn': return name();
      case 'AWS::Lambda::Function.Arn': return arn('lambda', `function:${this.resolve(p.FunctionName) ?? id}`);
      case 'AWS::Events::Rule.Arn': return arn('events', `rule/${this.resolve(p.Name) ?? id}`);
      case 'AWS::Scheduler::Schedule.Arn':
        return arn('scheduler', `schedule/${this.resolve(p.GroupName) ?? 'default'}/${this.resolve(p.Name) ?? id}`);
      case 'AWS::WAFv2::WebACL.Arn': return arn('wafv2', `regional/webacl/${id}/11111111-2222-3333-4444-555555555555`);
      case 'AWS::CloudWatch::Alarm.Arn': return arn('cloudwatch', `alarm:${this.resolve(p.AlarmName) ?? id}`);
      case 'AWS::SecretsManager::Secret.Id': return name();
      case 'AWS::ServiceDiscovery::PrivateDnsNamespace.Arn': return arn('servicediscovery', `namespace/ns-${id.toLowerCase()}`);
      case 'AWS::ServiceDiscovery::PrivateDnsNamespace.Id': return `ns-${id.toLowerCase()}`;
      case 'AWS::ServiceDiscovery::Service.Arn': return arn('servicediscovery', `service/srv-${id.toLowerCase()}`);
      case 'AWS::EC2::SecurityGroup.GroupId': return `sg-${id.toLowerCase()}`;
      case 'AWS::EC2::VPC.CidrBlock': return this.resolve(p.CidrBlock);
      case 'AWS::EC2::LaunchTemplate.LatestVersionNumber': return '1';
      case 'AWS::EC2::LaunchTemplate.LaunchTemplateId': return `lt-${id.toLowerCase()}`;
      case 'AWS::EC2::VPCEndpointService.ServiceId': return `vpce-svc-${id.toLowerCase()}`;
      default: return `${id}.${attr}`;
    }
  }

  private queueName(id: string): string {
    const p = this.resource(id).Properties ?? {};
    const given = this.resolve(p.QueueName);
    if (given) return given;
    return p.FifoQueue ? `${this.physicalName(id, 75)}.fifo` : this.physicalName(id, 80);
  }

  /**
   * The name CloudFormation generates for a resource without one: '<stack>-<logical ID>-<13 random characters>',
   * cut to the type's maximum length, so that policy sizes measured on resolved templates are realistic.
   */
  public physicalName(id: string, maxLength: number): string {
    const suffix = '-A1B2C3D4E5F6G';
    return `${this.stackName}-${id}`.slice(0, maxLength - suffix.length) + suffix;
  }
}

const NO_VALUE = Symbol('AWS::NoValue');
