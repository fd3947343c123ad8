"""The bindings smoke app in Python: the same app as ../typescript/app.ts, through the jsii Python package.

test/bindings/run.sh installs the locally built wheel (dist/python) into a fresh virtual environment, synthesizes
this app with the CDK CLI and compares its template with the TypeScript app's.
"""
import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ecs as ecs

from cdk_ecs_foundry import FoundryCluster, WebService, WorkerService

app = cdk.App()
stack = cdk.Stack(app, "FoundryBindings", env=cdk.Environment(account="123456789012", region="us-east-1"))

cluster = FoundryCluster(stack, "Cluster")
image = ecs.ContainerImage.from_registry("public.ecr.aws/nginx/nginx:stable")
certificate = acm.Certificate.from_certificate_arn(
    stack, "Certificate", "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
)
WebService(stack, "Web", cluster=cluster, image=image, port=80, certificate=certificate)
WorkerService(stack, "Worker", cluster=cluster, image=image)

app.synth()
