"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.handler = handler;
exports.onEvent = onEvent;
exports.respond = respond;
/**
 * Custom resource handler of `Ec2CapacityTeardown` (runs in AWS Lambda, Node.js runtime, AWS SDK v3 built in).
 *
 * On Delete, when the Auto Scaling group is really leaving (the stack is being deleted or rolled back, or the
 * group was replaced or removed), it turns off scale-in protection of the group and of its instances and sets
 * the group's minimum and desired capacity to zero, so that CloudFormation's own deletion of the group cannot
 * hang on instances that ECS managed termination protection protected (aws-cdk issues #18179, #14732, #19275).
 * When only the custom resource is removed (teardown turned off) the group is left alone.
 *
 * Create and Update do nothing. The handler answers CloudFormation itself (a PUT to the pre-signed ResponseURL),
 * so no provider framework Lambda is needed. The build compiles this file into the committed Lambda asset
 * assets/cluster/teardown-handler/index.js (`npx projen bundle:teardown-handler`); it imports only the AWS SDK
 * (provided by the runtime) and Node.js built-ins.
 */
const https = __importStar(require("https"));
// The AWS SDK v3 is part of the Lambda Node.js runtime; the package has it as a development dependency only.
// eslint-disable-next-line import/no-extraneous-dependencies
const client_auto_scaling_1 = require("@aws-sdk/client-auto-scaling");
// eslint-disable-next-line import/no-extraneous-dependencies
const client_cloudformation_1 = require("@aws-sdk/client-cloudformation");
/** SetInstanceProtection accepts at most 50 instance IDs per call. */
const PROTECTION_BATCH = 50;
/** Time kept back from the Lambda timeout to answer CloudFormation. */
const RESPONSE_MARGIN_MS = 20_000;
const POLL_INTERVAL_MS = 10_000;
/** Stack states in which every resource of the stack is being deleted. */
const STACK_DELETING = new Set(['DELETE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS']);
function defaultClients() {
    return {
        autoScaling: new client_auto_scaling_1.AutoScalingClient({}),
        cloudFormation: new client_cloudformation_1.CloudFormationClient({}),
        sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
    };
}
/**
 * Lambda entry point: run the request and always answer CloudFormation.
 *
 * Create and Update answer FAILED with the reason when something goes wrong. Delete always answers SUCCESS: the
 * teardown is a courtesy that makes the group's deletion faster, and a FAILED answer to Delete leaves the stack in
 * DELETE_FAILED (or a rollback stuck) for a problem CloudFormation's own deletion of the group may not even have;
 * the error is logged, and reported in the response's Reason.
 */
async function handler(event, context) {
    const physicalResourceId = event.PhysicalResourceId ?? event.ResourceProperties.AutoScalingGroupName;
    log('request', { RequestType: event.RequestType, LogicalResourceId: event.LogicalResourceId, PhysicalResourceId: physicalResourceId });
    try {
        const result = await onEvent(event, context, defaultClients());
        log('done', { reason: result.reason });
        await respond(event, 'SUCCESS', result.physicalResourceId, result.reason, result.data);
    }
    catch (e) {
        const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        log('failed', { error: message });
        const where = `See log stream ${context.logStreamName ?? '(unknown)'}.`;
        if (event.RequestType === 'Delete') {
            await respond(event, 'SUCCESS', physicalResourceId, `Could not prepare Auto Scaling group ${event.ResourceProperties.AutoScalingGroupName} for deletion (${message}); `
                + `CloudFormation deletes it anyway. ${where}`, { Action: 'failed', Error: message.slice(0, 500) });
            return;
        }
        await respond(event, 'FAILED', physicalResourceId, `Could not handle ${event.RequestType} for Auto Scaling group ${event.ResourceProperties.AutoScalingGroupName}: ${message}. ${where}`, {});
    }
}
/** The handler's logic, without the CloudFormation response (unit-tested against a mocked SDK). */
async function onEvent(event, context, clients) {
    const group = event.ResourceProperties.AutoScalingGroupName;
    if (!group) {
        throw new Error('The AutoScalingGroupName property is missing');
    }
    if (event.RequestType !== 'Delete') {
        // The physical ID is the group's name: when the group is replaced, CloudFormation deletes the old one's.
        return { physicalResourceId: group, reason: 'Nothing to do until the group is deleted', data: { AutoScalingGroupName: group } };
    }
    // The physical ID names the group this resource was created for: when an update replaced the group,
    // CloudFormation deletes the resource of the old group, whose name is the old physical ID.
    const physicalResourceId = event.PhysicalResourceId ?? group;
    const target = physicalResourceId;
    const leaving = await groupIsLeaving(event, target, clients.cloudFormation);
    if (!leaving.leaving) {
        return { physicalResourceId, reason: `Left ${target} alone: ${leaving.why}`, data: { Action: 'none' } };
    }
    const described = await describe(target, clients.autoScaling);
    if (!described) {
        return { physicalResourceId, reason: `${target} no longer exists`, data: { Action: 'none' } };
    }
    // New instances (a scaling activity may still be launching one) must not be protected either.
    await clients.autoScaling.send(new client_auto_scaling_1.UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: target,
        MinSize: 0,
        DesiredCapacity: 0,
        NewInstancesProtectedFromScaleIn: false,
    }));
    let unprotected = await unprotect(target, described, clients.autoScaling);
    log('scaled to zero', { group: target, unprotected });
    // Wait (briefly) for the instances to go, removing protection from any that gained it meanwhile.
    const waitMs = Math.max(0, Math.min(Number(event.ResourceProperties.WaitSeconds ?? '0') * 1000, context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS));
    const deadline = Date.now() + waitMs;
    let remaining = described.length;
    while (remaining > 0 && Date.now() + POLL_INTERVAL_MS <= deadline) {
        await clients.sleep(POLL_INTERVAL_MS);
        const now = await describe(target, clients.autoScaling);
        if (!now) {
            remaining = 0;
            break;
        }
        unprotected += await unprotect(target, now, clients.autoScaling);
        remaining = now.length;
    }
    return {
        physicalResourceId,
        reason: `Removed scale-in protection from ${unprotected} instance(s) of ${target} and set its capacity to 0; ${remaining} instance(s) still terminating`,
        data: { Action: 'scaled-to-zero', Unprotected: String(unprotected), Remaining: String(remaining) },
    };
}
/** Instances of the group, or undefined when the group does not exist (or is already being deleted). */
async function describe(group, client) {
    const response = await client.send(new client_auto_scaling_1.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
    const found = (response.AutoScalingGroups ?? []).find(g => g.AutoScalingGroupName === group);
    if (!found || found.Status === 'Delete in progress') {
        return undefined;
    }
    return (found.Instances ?? [])
        .filter(i => i.InstanceId !== undefined)
        .map(i => ({ id: i.InstanceId, protectedFromScaleIn: i.ProtectedFromScaleIn === true }));
}
/** Remove scale-in protection from every protected instance, in batches; returns how many were protected. */
async function unprotect(group, instances, client) {
    const ids = instances.filter(i => i.protectedFromScaleIn).map(i => i.id);
    for (let i = 0; i < ids.length; i += PROTECTION_BATCH) {
        await client.send(new client_auto_scaling_1.SetInstanceProtectionCommand({
            AutoScalingGroupName: group,
            InstanceIds: ids.slice(i, i + PROTECTION_BATCH),
            ProtectedFromScaleIn: false,
        }));
    }
    return ids.length;
}
/**
 * Whether the group is leaving the stack. CloudFormation also sends Delete when only this custom resource is
 * removed from the template, or when an update that added it rolls back: the group then stays in service and
 * must keep its capacity.
 */
async function groupIsLeaving(event, group, client) {
    const stacks = await client.send(new client_cloudformation_1.DescribeStacksCommand({ StackName: event.StackId }));
    const status = stacks.Stacks?.[0]?.StackStatus ?? 'UNKNOWN';
    if (STACK_DELETING.has(status)) {
        return { leaving: true, why: `the stack is ${status}` };
    }
    try {
        const resource = await client.send(new client_cloudformation_1.DescribeStackResourceCommand({
            StackName: event.StackId,
            LogicalResourceId: event.ResourceProperties.AutoScalingGroupLogicalId,
        }));
        const detail = resource.StackResourceDetail;
        if (detail?.PhysicalResourceId === group && !(detail.ResourceStatus ?? '').startsWith('DELETE')) {
            return { leaving: false, why: `the stack is ${status} and the group is still its resource ${event.ResourceProperties.AutoScalingGroupLogicalId}` };
        }
        return { leaving: true, why: `the group was replaced by ${detail?.PhysicalResourceId ?? 'another group'}` };
    }
    catch (e) {
        // CloudFormation answers ValidationError when the logical ID is no longer in the stack.
        if (e instanceof Error && e.name === 'ValidationError') {
            return { leaving: true, why: 'the group was removed from the stack' };
        }
        throw e;
    }
}
/** Send the custom resource response to CloudFormation's pre-signed S3 URL. */
async function respond(event, status, physicalResourceId, reason, data) {
    const body = JSON.stringify({
        Status: status,
        // The response must stay under 4 KiB.
        Reason: reason.slice(0, 1000),
        PhysicalResourceId: physicalResourceId,
        StackId: event.StackId,
        RequestId: event.RequestId,
        LogicalResourceId: event.LogicalResourceId,
        Data: data,
    });
    const url = new URL(event.ResponseURL);
    await new Promise((resolve, reject) => {
        const request = https.request({
            hostname: url.hostname,
            port: url.port || undefined,
            path: `${url.pathname}${url.search}`,
            method: 'PUT',
            headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
        }, response => {
            log('answered CloudFormation', { status, statusCode: response.statusCode });
            response.resume();
            response.on('end', () => resolve());
        });
        request.on('error', reject);
        request.end(body);
    });
}
function log(message, fields) {
    console.log(JSON.stringify({ message, ...fields }));
}
