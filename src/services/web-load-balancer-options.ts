import { Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';
import type { WebLoadBalancerOptions } from './web-load-balancer';
import { MAX_TARGET_GROUPS_PER_ALB } from './web-routing';
import { checkNumber, invalidProp, validateAllowedCidrs } from '../private/validation';

/**
 * Reject a certificate whose ARN names another Region (or partition) than the load balancer's stack: ACM certificates
 * are regional, and a load balancer uses only those of its own Region ("To use a certificate with Elastic Load
 * Balancing for the same fully qualified domain name (FQDN) or set of FQDNs in more than one AWS region, you must
 * request or import a certificate for each region ... You cannot copy a certificate between regions.",
 * https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html). CloudFormation only finds out at deploy time.
 * Unresolved ARNs or Regions are left to CloudFormation.
 *
 * @internal
 */
export function checkCertificateRegion(owner: IConstruct, certificate: acm.ICertificate | undefined, where: IConstruct): void {
  if (!certificate) return;
  const arn = certificate.certificateArn;
  const region = Stack.of(where).region;
  if (Token.isUnresolved(arn) || Token.isUnresolved(region)) return;
  const m = /^arn:([^:]+):acm:([^:]*):/.exec(arn);
  if (!m) return;
  const [, certPartition, certRegion] = m;
  const partition = RegionInfo.get(region).partition;
  if (certRegion !== region || (partition !== undefined && certPartition !== partition)) {
    invalidProp(owner, 'certificate', arn,
      `The certificate is in ${certRegion || 'no Region'} (partition ${certPartition}) and the load balancer in ${region}${partition ? ` (partition ${partition})` : ''}: ACM certificates are regional and a load balancer uses only those of its own Region. Request or import the certificate in ${region} and use that one.`);
  }
}

/** Validate the options of a WebLoadBalancer (own or shared). */
export function validateWebLoadBalancerOptions(scope: IConstruct, props: WebLoadBalancerOptions): void {
  // HTTPS admits each range on 443 and on 80 (the redirect): two inbound rules per range.
  validateAllowedCidrs(scope, props.allowedCidrs, props.allowHttp ? 1 : 2);
  if (props.accessLogsRetention !== undefined) {
    checkNumber(scope, 'accessLogsRetention (days)', props.accessLogsRetention.toDays({ integral: false }), { min: 1, max: 3650, integer: true });
  }
  // Every rule forwards to a target group of its own: 100 target groups per load balancer (not adjustable) bound the
  // rules too. https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
  checkNumber(scope, 'maxRules', props.maxRules, { min: 1, max: MAX_TARGET_GROUPS_PER_ALB, integer: true });
  checkNumber(scope, 'maxCertificates', props.maxCertificates, { min: 0, integer: true });
  checkNumber(scope, 'alarms.elb5xxCount', props.alarms?.elb5xxCount, { min: 1, integer: true });
  checkNumber(scope, 'alarms.evaluationMinutes', props.alarms?.evaluationMinutes, { min: 1, max: 60, integer: true });
  if (props.idleTimeout !== undefined) {
    checkNumber(scope, 'idleTimeout (seconds)', props.idleTimeout.toSeconds({ integral: false }), { min: 1, max: 4000, integer: true });
  }
  if (props.webAclArn !== undefined && !Token.isUnresolved(props.webAclArn) && !/^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\//.test(props.webAclArn)) {
    invalidProp(scope, 'webAclArn', props.webAclArn, 'Use the ARN of a REGIONAL AWS WAF (v2) web ACL: arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>.');
  }
}
