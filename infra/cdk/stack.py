"""One stage of Resource Reserver on AWS: data, messaging, the Chalice app, web app, alarms.

The stack's construct id is the stage name because `chalice.cdk.Chalice` takes its Chalice
stage from its scope's name; the CloudFormation stack is called `reserver-<stage>`.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnOutput, Environment, Stack, Tags
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.cdk import bundle
from infra.cdk.backend import Backend, BackendBuilder
from infra.cdk.data import build_tables
from infra.cdk.messaging import build_messaging
from infra.cdk.monitoring import Monitoring
from infra.cdk.stages import StageConfig
from infra.cdk.web import build_web, publish

SETUP_TOKEN_HINT = (
    "STAGE={stage} TABLE_NAME={table} AWS_REGION={region} "
    "SECRET_KEY=$(aws secretsmanager get-secret-value --secret-id {secret} "
    "--query SecretString --output text) .venv/bin/python -m infra.setup_token"
)


class ReserverStack(Stack):
    def __init__(self, scope: Construct, config: StageConfig, build_dir: Path) -> None:
        super().__init__(
            scope,
            config.stage,
            stack_name=config.stack_name,
            env=Environment(account=config.account, region=config.region),
            description=f"Resource Reserver ({config.stage})",
            termination_protection=config.prod,
        )
        Tags.of(self).add("app", "resource-reserver")
        Tags.of(self).add("stage", config.stage)
        self.config = config
        self.tables = build_tables(self, config)
        self.messaging = build_messaging(self, config)
        self.secret = secretsmanager.Secret(
            self,
            "SecretKey",
            secret_name=config.name("reserver/secret-key"),
            description="SECRET_KEY: signs access tokens and seals webhook secrets",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
        )
        self.web = build_web(self, config)
        project = bundle.stage_project(build_dir / config.stage / "app", bundle.vendor_dir())
        self.backend: Backend = BackendBuilder(self, config, self.tables, self.messaging).build(
            project, self.secret, self._site_url()
        )
        publish(self, self.web, config, self.backend.rest_url, self.backend.websocket_url)
        self.monitoring = Monitoring(self, config)
        self.monitoring.watch(self.backend, self.messaging)
        self.monitoring.dashboard(config, self.backend, self.messaging)
        self._outputs()

    def _site_url(self) -> str:
        if self.config.domain_name:
            return f"https://{self.config.domain_name}"
        return self.web.url

    def _outputs(self) -> None:
        main = self.tables["main"]
        CfnOutput(self, "WebUrl", value=self._site_url())
        CfnOutput(self, "ApiUrl", value=self.backend.rest_url)
        CfnOutput(self, "WebsocketUrl", value=self.backend.websocket_url)
        CfnOutput(self, "WebDistributionDomain", value=self.web.distribution.domain_name)
        CfnOutput(self, "AlarmTopicArn", value=self.monitoring.topic.topic_arn)
        CfnOutput(
            self,
            "SetupTokenCommand",
            description="Run once with operator credentials: prints the first-admin setup token",
            value=SETUP_TOKEN_HINT.format(
                stage=self.config.stage,
                table=main.table_name,
                region=self.region,
                secret=self.secret.secret_name,
            ),
        )
