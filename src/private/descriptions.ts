import { Token } from 'aws-cdk-lib';

/**
 * Descriptions the library writes from construct paths. A construct id may hold any character (an umlaut, a quote,
 * a CJK name) and a path any length, while AWS accepts only some characters and lengths in descriptions: a value that
 * breaks them synthesizes and then fails at deploy time. These functions keep every description deployable and
 * leave a description that already fits unchanged (a security group's description is create-only: changing it would
 * replace the group).
 */

/**
 * Security group descriptions and security group rule descriptions: "Up to 255 characters in length. Valid characters:
 * a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html).
 */
export const SECURITY_GROUP_DESCRIPTION = { pattern: /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/, maxLength: 255 };

/**
 * IAM role and managed policy descriptions: at most 1,000 characters of `[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]`
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html).
 */
export const IAM_DESCRIPTION = { pattern: /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/, maxLength: 1000 };

/** Lambda function descriptions: up to 256 characters (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html). */
export const LAMBDA_DESCRIPTION = { maxLength: 256 };

/** EventBridge rule descriptions: up to 512 characters (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html). */
export const EVENT_RULE_DESCRIPTION = { maxLength: 512 };

/** A security group description or a security group rule description that EC2 accepts. */
export function securityGroupDescription(text: string): string {
  return sanitize(text, SECURITY_GROUP_DESCRIPTION.pattern, SECURITY_GROUP_DESCRIPTION.maxLength);
}

/** An IAM role or managed policy description that IAM accepts. */
export function iamDescription(text: string): string {
  return sanitize(text, IAM_DESCRIPTION.pattern, IAM_DESCRIPTION.maxLength);
}

/** A description of at most `maxLength` characters (for services that accept any character). */
export function boundedDescription(text: string, maxLength: number): string {
  return sanitize(text, /^[^]*$/, maxLength);
}

function sanitize(text: string, pattern: RegExp, maxLength: number): string {
  if (Token.isUnresolved(text)) {
    return text;
  }
  let out = '';
  for (const char of text) {
    if (pattern.test(char)) {
      out += char;
      continue;
    }
    // 'ü' → 'u', 'é' → 'e', 'ﬁ' → 'fi': the closest allowed spelling; anything else becomes '-'.
    const plain = char.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
    out += plain !== char && pattern.test(plain) ? plain : '-';
  }
  return shorten(out, maxLength);
}

/** Keep the start (what the resource is) and the end (the most specific part of the path) of a long text. */
function shorten(text: string, maxLength: number): string {
  if (text.length <= maxLength) {
    return text;
  }
  const marker = '...';
  const tail = Math.floor((maxLength - marker.length) / 2);
  const head = maxLength - marker.length - tail;
  return `${text.slice(0, head)}${marker}${text.slice(text.length - tail)}`;
}
