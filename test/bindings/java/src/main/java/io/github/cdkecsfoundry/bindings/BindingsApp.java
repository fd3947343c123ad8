package io.github.cdkecsfoundry.bindings;

import io.github.cdkecsfoundry.FoundryCluster;
import io.github.cdkecsfoundry.WebService;
import io.github.cdkecsfoundry.WorkerService;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.certificatemanager.Certificate;
import software.amazon.awscdk.services.certificatemanager.ICertificate;
import software.amazon.awscdk.services.ecs.ContainerImage;

/**
 * The bindings smoke app in Java: the same app as ../typescript/app.ts, through the jsii Java package.
 *
 * <p>test/bindings/run.sh installs the locally built jar (dist/java) into the local Maven repository, synthesizes
 * this app with the CDK CLI and compares its template with the TypeScript app's.
 */
public final class BindingsApp {
    private BindingsApp() {
    }

    public static void main(final String[] args) {
        App app = new App();
        Stack stack = new Stack(app, "FoundryBindings", StackProps.builder()
                .env(Environment.builder().account("123456789012").region("us-east-1").build())
                .build());

        FoundryCluster cluster = new FoundryCluster(stack, "Cluster");
        ContainerImage image = ContainerImage.fromRegistry("public.ecr.aws/nginx/nginx:stable");
        ICertificate certificate = Certificate.fromCertificateArn(stack, "Certificate",
                "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555");
        WebService.Builder.create(stack, "Web")
                .cluster(cluster).image(image).port(80).certificate(certificate)
                .build();
        WorkerService.Builder.create(stack, "Worker")
                .cluster(cluster).image(image)
                .build();

        app.synth();
    }
}
