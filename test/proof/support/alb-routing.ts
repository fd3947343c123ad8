/**
 * A small model of how an Application Load Balancer picks a listener rule, written from the AWS documentation and
 * independent of the library's own pattern engine:
 * - rules are evaluated by ascending priority and the first match wins (listener-rules.html);
 * - host-header values compare case-insensitively, path-pattern values case-sensitively, against the path only;
 *   '*' matches 0 or more characters and '?' exactly one (rule-condition-types.html).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { FoundryCluster, WebLoadBalancer } from '../../../src';

/** A listener rule as the template holds it. */
export interface TemplateRule {
  readonly logicalId: string;
  readonly priority: number;
  /** undefined: no host-header condition. */
  readonly hosts?: string[];
  /** undefined: no path-pattern condition. */
  readonly paths?: string[];
  readonly header?: string;
}

/** A request: Host header and URL path. */
export interface AlbRequest {
  readonly host: string;
  readonly path: string;
  readonly headers?: string[];
}

function globToRegExp(glob: string, flags: string): RegExp {
  let source = '';
  for (const c of glob) {
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += c.replace(/[.+^${}()|[\]\\/*?]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, `s${flags}`);
}

/** Whether a host matches a host-header value (case-insensitive). */
export const hostMatches = (pattern: string, host: string) => globToRegExp(pattern, 'i').test(host);
/** Whether a path matches a path-pattern value (case-sensitive). */
export const pathMatches = (pattern: string, path: string) => globToRegExp(pattern, '').test(path);

/** Whether a rule's conditions all match the request. */
export function ruleMatches(rule: TemplateRule, request: AlbRequest): boolean {
  if (rule.hosts && !rule.hosts.some(h => hostMatches(h, request.host))) return false;
  if (rule.paths && !rule.paths.some(p => pathMatches(p, request.path))) return false;
  if (rule.header && !(request.headers ?? []).includes(rule.header.toLowerCase())) return false;
  return true;
}

/** The rule ALB applies: the matching rule with the lowest priority (undefined: the default action). */
export function winningRule(rules: TemplateRule[], request: AlbRequest): TemplateRule | undefined {
  return [...rules].sort((a, b) => a.priority - b.priority).find(r => ruleMatches(r, request));
}

/** The listener rules of a synthesized template. */
export function rulesOf(template: Template): TemplateRule[] {
  return Object.entries<any>(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')).map(([logicalId, r]) => {
    const conditions: any[] = r.Properties.Conditions;
    const host = conditions.find(c => c.Field === 'host-header');
    const path = conditions.find(c => c.Field === 'path-pattern');
    const header = conditions.find(c => c.Field === 'http-header');
    return {
      logicalId,
      priority: r.Properties.Priority,
      hosts: host?.HostHeaderConfig.Values,
      paths: path?.PathPatternConfig.Values,
      header: header?.HttpHeaderConfig.HttpHeaderName,
    };
  });
}

/** A route to put on the load balancer. */
export interface RouteInput {
  readonly hosts: string[];
  readonly paths: string[];
}

/** The outcome of putting routes on one shared load balancer, in order. */
export interface SharedAlb {
  readonly stack: Stack;
  readonly alb: WebLoadBalancer;
  /** Priority of each route (undefined when it was refused). */
  readonly priorities: Array<number | undefined>;
  /** The error for each refused route. */
  readonly errors: Array<string | undefined>;
}

/**
 * Put routes on one plain-HTTP `WebLoadBalancer` through the path every `WebService` takes (`_addRoute`), each with a
 * target group of its own; refused routes are recorded, not thrown.
 */
export function shareAlb(routes: RouteInput[]): SharedAlb {
  const app = new App();
  const stack = new Stack(app, 'Routing', { env: { account: '123456789012', region: 'us-east-1' } });
  const cluster = new FoundryCluster(stack, 'Cluster');
  const alb = new WebLoadBalancer(stack, 'Alb', { cluster, allowHttp: true });
  const priorities: Array<number | undefined> = [];
  const errors: Array<string | undefined> = [];
  routes.forEach((route, i) => {
    const owner = new Construct(stack, `Svc${i}`);
    const targetGroup = elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(owner, 'TargetGroup', {
      targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/svc${i}/0123456789abcdef`,
    });
    try {
      priorities.push(alb._addRoute({ owner, hostHeaders: route.hosts, pathPatterns: route.paths, targetGroup }).priority);
      errors.push(undefined);
    } catch (e) {
      priorities.push(undefined);
      errors.push((e as Error).message);
    }
  });
  return { stack, alb, priorities, errors };
}
