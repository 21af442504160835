"""Alarms to one SNS topic, and one dashboard: DLQ depth, function errors and throttles, the
stream relay's lag, API 5xx (REST and WebSocket), and the app's own metrics (app_metrics.py).

Every alarm treats missing data as fine: a quiet stage has no datapoints, not a problem.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions

from chalicelib.topology import STREAM_HANDLER, TOPOLOGY
from infra.cdk.app_metrics import application_widgets
from infra.cdk.backend import Backend, logical_id
from infra.cdk.messaging import Messaging
from infra.cdk.stages import API_STAGE, StageConfig

PERIOD = Duration.minutes(5)
STREAM_LAG_ALARM_MS = 5 * 60 * 1000


def _lambda_metric(function_name: str, metric: str, statistic: str = "Sum") -> cw.Metric:
    return cw.Metric(
        namespace="AWS/Lambda",
        metric_name=metric,
        dimensions_map={"FunctionName": function_name},
        statistic=statistic,
        period=PERIOD,
    )


def _rest_metric(backend: Backend, metric: str, statistic: str = "Sum") -> cw.Metric:
    return cw.Metric(
        namespace="AWS/ApiGateway",
        metric_name=metric,
        dimensions_map={"ApiName": backend.rest_api_name, "Stage": API_STAGE},
        statistic=statistic,
        period=PERIOD,
    )


class Monitoring:
    def __init__(self, stack: Stack, config: StageConfig) -> None:
        self.stack = stack
        self.topic = sns.Topic(
            stack, "AlarmTopic", topic_name=config.name("reserver-alarms"), enforce_ssl=True
        )
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self.alarms: list[cw.Alarm] = []

    def alarm(self, lid: str, metric: cw.IMetric, threshold: float, description: str) -> None:
        alarm = cw.Alarm(
            self.stack,
            lid,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        self.alarms.append(alarm)

    def watch(self, backend: Backend, messaging: Messaging) -> None:
        for queue in TOPOLOGY.queues:
            self.alarm(
                f"{logical_id(queue.dlq_name.replace('-', '_'))}DepthAlarm",
                messaging.queues[queue.dlq_name].metric_approximate_number_of_messages_visible(
                    period=PERIOD, statistic="Maximum"
                ),
                1,
                f"{queue.dlq_name} holds messages that failed {queue.max_receive_count} times",
            )
        for name, function_name in backend.function_names.items():
            lid = logical_id(name)
            self.alarm(
                f"{lid}ErrorsAlarm", _lambda_metric(function_name, "Errors"), 1, f"{name} failed"
            )
            self.alarm(
                f"{lid}ThrottlesAlarm",
                _lambda_metric(function_name, "Throttles"),
                1,
                f"{name} was throttled",
            )
        self.alarm(
            "StreamLagAlarm",
            _lambda_metric(backend.function_names[STREAM_HANDLER], "IteratorAge", "Maximum"),
            STREAM_LAG_ALARM_MS,
            "The stream relay is more than 5 minutes behind the table",
        )
        self.alarm("RestApi5xxAlarm", _rest_metric(backend, "5XXError"), 1, "REST API 5xx")
        self.alarm(
            "WebsocketErrorsAlarm",
            cw.Metric(
                namespace="AWS/ApiGateway",
                metric_name="IntegrationError",
                dimensions_map={"ApiId": backend.websocket_api_id, "Stage": API_STAGE},
                statistic="Sum",
                period=PERIOD,
            ),
            1,
            "WebSocket API integration errors",
        )

    def dashboard(self, config: StageConfig, backend: Backend, messaging: Messaging) -> None:
        functions = backend.function_names.values()
        queues = [messaging.queues[q.name] for q in TOPOLOGY.queues]
        board = cw.Dashboard(self.stack, "Dashboard", dashboard_name=config.stack_name)
        board.add_widgets(
            cw.GraphWidget(
                title="REST API",
                left=[_rest_metric(backend, m) for m in ("Count", "4XXError", "5XXError")],
                right=[_rest_metric(backend, "Latency", "p95")],
            ),
            cw.GraphWidget(
                title="Function errors",
                left=[_lambda_metric(f, "Errors") for f in functions],
            ),
            cw.GraphWidget(
                title="Function throttles",
                left=[_lambda_metric(f, "Throttles") for f in functions],
            ),
        )
        board.add_widgets(
            cw.GraphWidget(
                title="Queue depth",
                left=[q.metric_approximate_number_of_messages_visible() for q in queues],
                right=[q.metric_approximate_age_of_oldest_message() for q in queues],
            ),
            cw.GraphWidget(
                title="Dead-letter queues",
                left=[
                    q.metric_approximate_number_of_messages_visible()
                    for q in messaging.dead_letter_queues().values()
                ],
            ),
            cw.GraphWidget(
                title="Stream relay lag (ms)",
                left=[
                    _lambda_metric(backend.function_names[STREAM_HANDLER], "IteratorAge", "Maximum")
                ],
            ),
            cw.AlarmStatusWidget(title="Alarms", alarms=self.alarms),
        )
        # observability (issue 15): the app's own EMF metrics
        board.add_widgets(*application_widgets())
