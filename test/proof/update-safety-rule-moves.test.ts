/**
 * Why a NetworkService keeps the tasks' rule that admits its load balancer as a standalone
 * `AWS::EC2::SecurityGroupIngress` (one resource per service) instead of writing it inline in the task security group:
 * on a stack deployed with the standalone rule, the inline shape would make CloudFormation revoke the rule (see
 * test/proof/support/security-group-rule-moves.ts). The update-safety harness runs this check on every prop change of
 * every construct (runCase); here it is shown to catch exactly that move, in both directions.
 */
import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FoundryCluster, NetworkService } from '../../src';
import { securityGroupRuleMoves } from './support/security-group-rule-moves';
import { synthTemplate, Template } from './support/update-safety';

const build = (stack: Stack) => {
  const cluster = new FoundryCluster(stack, 'Cluster');
  new NetworkService(stack, 'Mqtt', { cluster, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/eclipse-mosquitto:2'), port: 1883 });
};

/** The standalone rules admitting a security group, moved into their groups' inline rules (the candidate shape). */
function inlined(template: Template): Template {
  const copy = JSON.parse(JSON.stringify(template)) as Template;
  for (const [id, resource] of Object.entries<any>(copy.Resources)) {
    if (resource.Type !== 'AWS::EC2::SecurityGroupIngress' || !resource.Properties.SourceSecurityGroupId) continue;
    const { GroupId, ...rule } = resource.Properties;
    const group = copy.Resources[GroupId['Fn::GetAtt'][0]];
    group.Properties.SecurityGroupIngress = [...(group.Properties.SecurityGroupIngress ?? []), rule];
    delete copy.Resources[id];
  }
  return copy;
}

describe('security group rules moving between a standalone resource and their group', () => {
  let shipped: Template;
  beforeAll(() => {
    shipped = synthTemplate(build);
  });

  test('NetworkService writes the load balancer → tasks rule as a standalone resource', () => {
    const standalone = Object.values<any>(shipped.Resources).filter(r => r.Type === 'AWS::EC2::SecurityGroupIngress');
    expect(standalone.map(r => [r.Properties.IpProtocol, r.Properties.FromPort, r.Properties.ToPort])).toEqual([['tcp', 1883, 1883]]);
  });

  test('writing it inline instead (one resource less per service) is a move that drops the rule on update', () => {
    const moves = securityGroupRuleMoves(shipped, inlined(shipped));
    expect(moves).toHaveLength(1);
    expect(moves[0]).toMatchObject({ hazard: true, type: 'AWS::EC2::SecurityGroupIngress' });
    expect(moves[0].why).toMatch(/moves inline into MqttTaskSecurityGroup.*revokes the one EC2 rule/);
  });

  test('and so is the way back, from inline to standalone', () => {
    const moves = securityGroupRuleMoves(inlined(shipped), shipped);
    expect(moves).toHaveLength(1);
    expect(moves[0].why).toMatch(/moves to the standalone MqttTaskSecurityGroupfrom/);
  });

  test('an update that keeps each rule where it was moves nothing (a different port is a new rule, not a move)', () => {
    expect(securityGroupRuleMoves(shipped, shipped)).toEqual([]);
    const otherPort = JSON.parse(JSON.stringify(shipped)) as Template;
    for (const r of Object.values<any>(otherPort.Resources)) {
      if (r.Type === 'AWS::EC2::SecurityGroupIngress') {
        r.Properties.FromPort = r.Properties.ToPort = 1884;
      }
    }
    expect(securityGroupRuleMoves(shipped, inlined(otherPort))).toEqual([]);
  });
});
