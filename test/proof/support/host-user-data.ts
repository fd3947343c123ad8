/**
 * Reads a synthesized launch template's user data the way the host receives it: the text EC2 hands to the
 * instance after CloudFormation resolved `Fn::Base64` / `Fn::Join`. Values known only at deploy time (`Ref`,
 * `Fn::GetAtt`, pseudo parameters) become placeholders made of characters that are safe both in TOML strings and
 * in unquoted shell words, so a parser sees the document's real structure.
 */

/** The placeholder a deploy-time value renders to: `__REF_ClusterC2E21B66__`, `__ATT_Role_Arn__`. */
export function placeholder(kind: 'REF' | 'ATT', name: string): string {
  return `__${kind}_${name.replace(/[^A-Za-z0-9]/g, '_')}__`;
}

/** Renders a CloudFormation value to text, with placeholders for deploy-time values. */
export function renderCfnText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const node = value as Record<string, any>;
    const [fn] = Object.keys(node);
    const arg = node[fn];
    switch (fn) {
      case 'Fn::Base64': return renderCfnText(arg);
      case 'Fn::Join': return (arg[1] as unknown[]).map(renderCfnText).join(arg[0]);
      case 'Ref': return placeholder('REF', arg);
      case 'Fn::GetAtt': return placeholder('ATT', Array.isArray(arg) ? arg.join('.') : String(arg));
      case 'Fn::Sub': {
        if (typeof arg !== 'string') break;
        return arg.replace(/\$\{([^}]+)\}/g, (_m, name: string) => placeholder('REF', name));
      }
      default: break;
    }
  }
  throw new Error(`Cannot render user data value ${JSON.stringify(value)}`);
}

/** The user data of a launch template resource, as the instance reads it. */
export function launchTemplateUserData(launchTemplate: any): string {
  const userData = launchTemplate?.Properties?.LaunchTemplateData?.UserData;
  if (userData === undefined) throw new Error('The launch template has no user data');
  return renderCfnText(userData);
}

/** One `KEY=VALUE` line that the user data appends to the ECS agent's configuration file. */
export interface EcsConfigEntry {
  readonly key: string;
  readonly value: string;
}

const ECS_CONFIG_LINE = /^echo ([A-Z][A-Z0-9_]*)=(\S*) >> \/etc\/ecs\/ecs\.config$/;

/**
 * Parses an Amazon Linux user data script into the `/etc/ecs/ecs.config` entries it writes. Every line after the
 * shebang must be such an `echo`, so the script does nothing else (and nothing this parser cannot see).
 */
export function parseEcsConfigScript(script: string): EcsConfigEntry[] {
  const lines = script.split('\n').filter(line => line.trim() !== '');
  if (lines[0] !== '#!/bin/bash') throw new Error(`The script does not start with #!/bin/bash: ${lines[0]}`);
  return lines.slice(1).map(line => {
    const match = ECS_CONFIG_LINE.exec(line.trim());
    if (!match) throw new Error(`Not an ecs.config line: ${line}`);
    return { key: match[1], value: match[2] };
  });
}

/** Every key path of a parsed TOML document down to its leaves (`settings.ecs.cluster`). */
export function leafPaths(document: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(document).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)
      ? leafPaths(value as Record<string, unknown>, path)
      : [path];
  });
}
