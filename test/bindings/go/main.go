// The bindings smoke app in Go: the same app as ../typescript/app.ts, through the jsii Go module.
//
// test/bindings/run.sh builds this app against the locally generated module (dist/go, through the replace
// directive in go.mod), synthesizes it with the CDK CLI and compares its template with the TypeScript app's.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-ecs-foundry/cdk-ecs-foundry-go/cdkecsfoundry"
)

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("FoundryBindings"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("us-east-1")},
	})

	cluster := cdkecsfoundry.NewFoundryCluster(stack, jsii.String("Cluster"), nil)
	image := awsecs.ContainerImage_FromRegistry(jsii.String("public.ecr.aws/nginx/nginx:stable"), nil)
	certificate := awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("Certificate"),
		jsii.String("arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"))
	cdkecsfoundry.NewWebService(stack, jsii.String("Web"), &cdkecsfoundry.WebServiceProps{
		Cluster: cluster, Image: image, Port: jsii.Number(80), Certificate: certificate,
	})
	cdkecsfoundry.NewWorkerService(stack, jsii.String("Worker"), &cdkecsfoundry.WorkerServiceProps{
		Cluster: cluster, Image: image,
	})

	app.Synth(nil)
}
