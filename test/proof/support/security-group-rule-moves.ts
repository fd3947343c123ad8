/**
 * Security group rules that an update moves between a standalone resource (`AWS::EC2::SecurityGroupIngress` /
 * `AWS::EC2::SecurityGroupEgress`) and the group's inline rules (`SecurityGroupIngress` / `SecurityGroupEgress` of
 * `AWS::EC2::SecurityGroup`), or back, with the same EC2 identity (group, direction, protocol, ports, peer).
 *
 * EC2 keeps one rule per identity. Moving it inline, CloudFormation updates the group first (the rule exists: EC2
 * answers `InvalidPermission.Duplicate`, which the group's handler passes over,
 * https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/1532) and deletes the removed standalone
 * resource last, in the cleanup phase, which revokes the one rule: the template says the rule is there, EC2 no longer
 * has it (https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/612 describes the same loss for
 * duplicates). Moving it out of the group, the group's update revokes the rule the new standalone resource stands for.
 * Either way the traffic it admitted stops until someone notices the drift.
 */
import type { Replacement, Template } from './update-safety';

interface Rule {
  readonly key: string;
  readonly owner: string;
}

const SOURCES = ['CidrIp', 'CidrIpv6', 'SourceSecurityGroupId', 'SourcePrefixListId', 'SourceSecurityGroupOwnerId'];
const DESTINATIONS = ['CidrIp', 'CidrIpv6', 'DestinationSecurityGroupId', 'DestinationPrefixListId'];

function groupOf(value: any): string | undefined {
  return value?.Ref ?? value?.['Fn::GetAtt']?.[0];
}

function identity(group: string, direction: 'in' | 'out', rule: any): string {
  const peers = (direction === 'in' ? SOURCES : DESTINATIONS).map(k => [k, rule[k]]).filter(([, v]) => v !== undefined);
  const protocol = String(rule.IpProtocol ?? '').toLowerCase();
  const all = protocol === '-1' || protocol === 'all';
  return JSON.stringify([group, direction, all ? '-1' : protocol, all ? null : rule.FromPort ?? null, all ? null : rule.ToPort ?? null, peers]);
}

function rules(template: Template): { standalone: Map<string, Rule>; inline: Map<string, Rule> } {
  const standalone = new Map<string, Rule>();
  const inline = new Map<string, Rule>();
  for (const [id, resource] of Object.entries<any>(template.Resources ?? {})) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::EC2::SecurityGroupIngress' || resource.Type === 'AWS::EC2::SecurityGroupEgress') {
      const group = groupOf(props.GroupId);
      if (group) {
        const key = identity(group, resource.Type.endsWith('Ingress') ? 'in' : 'out', props);
        standalone.set(key, { key, owner: id });
      }
    } else if (resource.Type === 'AWS::EC2::SecurityGroup') {
      for (const [list, direction] of [['SecurityGroupIngress', 'in'], ['SecurityGroupEgress', 'out']] as const) {
        for (const rule of Array.isArray(props[list]) ? props[list] : []) {
          const key = identity(id, direction, rule);
          inline.set(key, { key, owner: id });
        }
      }
    }
  }
  return { standalone, inline };
}

/** Every rule the update from `before` to `after` moves between a standalone resource and its group, either way. */
export function securityGroupRuleMoves(before: Template, after: Template): Replacement[] {
  const a = rules(before);
  const b = rules(after);
  const found: Replacement[] = [];
  for (const [key, rule] of a.standalone) {
    if (b.inline.has(key) && !b.standalone.has(key)) {
      found.push({
        logicalId: rule.owner,
        type: 'AWS::EC2::SecurityGroupIngress',
        hazard: true,
        why: `the rule of ${rule.owner} moves inline into ${b.inline.get(key)!.owner}: CloudFormation adds it to the group (a duplicate EC2 passes over), `
          + 'then deletes the standalone resource, which revokes the one EC2 rule: the traffic it admitted stops',
      });
    }
  }
  for (const [key, rule] of a.inline) {
    if (b.standalone.has(key) && !b.inline.has(key)) {
      found.push({
        logicalId: b.standalone.get(key)!.owner,
        type: 'AWS::EC2::SecurityGroupIngress',
        hazard: true,
        why: `an inline rule of ${rule.owner} moves to the standalone ${b.standalone.get(key)!.owner}: the group's update revokes the one EC2 rule the new resource stands for`,
      });
    }
  }
  return found;
}
