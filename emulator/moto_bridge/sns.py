"""SNS in moto: publishing a message to a topic of one account and region (delivered to its subscribed queues)."""

from __future__ import annotations

from emulator.moto_bridge.common import MOTO_LOCK


class TopicUnavailable(Exception):
    """The SNS topic does not exist in its account and region, or belongs to another account."""


def publish_to_topic(account: str, region: str, topic_arn: str, message: str) -> None:
    """Publish a message to an SNS topic of `account` in `region` through moto's SNS (delivered to its SQS queues)."""
    from moto.sns.exceptions import TopicNotFound
    from moto.sns.models import sns_backends

    parts = topic_arn.split(":")
    if len(parts) < 6 or parts[4] != account or parts[3] != region:
        raise TopicUnavailable(topic_arn)
    with MOTO_LOCK:
        per_account = dict.get(sns_backends, account)
        backend = dict.get(per_account, region) if per_account is not None else None
        if backend is None or topic_arn not in backend.topics:
            raise TopicUnavailable(topic_arn)
        try:
            backend.publish(message, arn=topic_arn)
        except TopicNotFound:
            raise TopicUnavailable(topic_arn) from None
