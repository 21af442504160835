"""The listing's lean decoder of raw resource items (issue 16, store/catalog/items.py
`from_raw`) gives exactly what PynamoDB's full instantiation gives, for a plain resource and
one with every optional attribute set."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from chalicelib.domain.catalog.approval import ApprovalSettings, ApprovalStep
from chalicelib.domain.catalog.check_in_policy import CheckInPolicy
from chalicelib.domain.catalog.resources import (
    BookingPolicy,
    BusinessHours,
    DayHours,
    Location,
    Maintenance,
    Resource,
)
from chalicelib.domain.principal import Role
from chalicelib.domain.waitlist.settings import WaitlistSettings
from chalicelib.store.catalog.items import ResourceItem, from_item, from_raw, to_item

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
FULL = Resource(
    resource_id="r-full",
    name="Hall",
    description="Big",
    tags=("projector", "video"),
    capacity=40,
    location=Location("B1", "2", "201"),
    timezone="Europe/Paris",
    enabled=False,
    requires_approval=True,
    approvers=("u1", "u2"),
    approval=ApprovalSettings((ApprovalStep(("u1",), (Role.ADMIN,)),), 12, 3),
    policy=BookingPolicy(
        timedelta(minutes=30),
        timedelta(hours=4),
        timedelta(minutes=10),
        timedelta(minutes=5),
        timedelta(days=90),
        timedelta(hours=1),
    ),
    business_hours=BusinessHours({0: DayHours(time(8), time(18))}),
    maintenance=Maintenance(T0, "paint", T0 + timedelta(days=1)),
    group_id="g1",
    labels=("l1",),
    check_in=CheckInPolicy(True, timedelta(minutes=5), timedelta(minutes=10), 2),
    created_at=T0,
    updated_at=T0 + timedelta(hours=1),
    version=7,
    waitlist=WaitlistSettings(timedelta(minutes=20), False),
)


@pytest.mark.parametrize(
    "resource", [FULL, Resource("r-plain", "Plain", created_at=T0, updated_at=T0)]
)
def test_the_raw_view_decodes_like_pynamodb(resource: Resource) -> None:
    raw = to_item(resource).serialize()
    assert from_raw(raw) == from_item(ResourceItem.from_raw_data(raw)) == resource
