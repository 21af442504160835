"""Labels: `category:value` with a colour; CRUD, categories, merge, a resource's labels.

Same paths as the old product (`/api/v1/labels...`). Reads: `resources:read`. Changes:
administrators; a resource's own labels also its group admins.
"""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.locations import (
    CategoryListOut,
    CategoryOut,
    LabelCreate,
    LabelDeletedOut,
    LabelListOut,
    LabelListQuery,
    LabelMergeIn,
    LabelOut,
    LabelUpdate,
    MergeOut,
    ResourceLabelsIn,
    ResourceLabelsOut,
)

bp = Blueprint(__name__)
TAGS = ("labels",)
READ = "resources:read"
WRITE = "resources:write"
BASE = "/api/v1/labels"


@endpoint(
    bp,
    BASE,
    summary="Labels (filter by category or text)",
    tags=TAGS,
    scope=READ,
    query=LabelListQuery,
    response=LabelListOut,
)
def list_labels(ctx: RequestContext[None, LabelListQuery]) -> LabelListOut:
    found = wiring.labels().find(ctx.query.category, ctx.query.q)
    return LabelListOut(items=[LabelOut.of(lb) for lb in found])


@endpoint(
    bp,
    BASE,
    "POST",
    summary="Create a label",
    tags=TAGS,
    scope=WRITE,
    body=LabelCreate,
    response=LabelOut,
    status=201,
    description="`name` is `category:value`; 409 `label_name_taken` if it exists.",
)
def create_label(ctx: RequestContext[LabelCreate]) -> LabelOut:
    b = ctx.body
    return LabelOut.of(wiring.labels().create(ctx.user, b.name, b.color, b.description))


@endpoint(
    bp,
    f"{BASE}/categories",
    summary="Categories with how many labels each",
    tags=TAGS,
    scope=READ,
    response=CategoryListOut,
)
def categories(ctx: RequestContext) -> CategoryListOut:
    items = [
        CategoryOut(category=c.category, labels=c.labels) for c in wiring.labels().categories()
    ]
    return CategoryListOut(items=items)


@endpoint(
    bp,
    f"{BASE}/merge",
    "POST",
    summary="Merge one label into another",
    tags=TAGS,
    scope=WRITE,
    body=LabelMergeIn,
    response=MergeOut,
    description=(
        "Every resource carrying `source_id` carries `target_id` instead, one conditional "
        "write per resource; then the source is deleted. `complete: false`: repeat."
    ),
)
def merge(ctx: RequestContext[LabelMergeIn]) -> MergeOut:
    result = wiring.labels().merge(ctx.user, ctx.body.source_id, ctx.body.target_id)
    return MergeOut(target=LabelOut.of(result.target), moved=result.moved, complete=result.complete)


@endpoint(
    bp,
    f"{BASE}/resources/{{resource_id}}",
    summary="A resource's labels",
    tags=TAGS,
    scope=READ,
    response=ResourceLabelsOut,
)
def resource_labels(ctx: RequestContext, resource_id: str) -> ResourceLabelsOut:
    resource = wiring.resources().get(ctx.user, resource_id).resource
    labels = wiring.labels().of(resource)
    return ResourceLabelsOut(resource_id=resource_id, labels=[LabelOut.of(lb) for lb in labels])


@endpoint(
    bp,
    f"{BASE}/resources/{{resource_id}}",
    "PUT",
    summary="Set a resource's labels",
    tags=TAGS,
    scope=WRITE,
    delegated=True,
    body=ResourceLabelsIn,
    response=ResourceLabelsOut,
)
def set_resource_labels(
    ctx: RequestContext[ResourceLabelsIn], resource_id: str
) -> ResourceLabelsOut:
    service = wiring.labels()
    ids = service.checked_ids(ctx.body.label_ids)
    view = wiring.resources().set_labels(ctx.user, resource_id, ids)
    labels = service.of(view.resource)
    return ResourceLabelsOut(resource_id=resource_id, labels=[LabelOut.of(lb) for lb in labels])


@endpoint(bp, f"{BASE}/{{label_id}}", summary="A label", tags=TAGS, scope=READ, response=LabelOut)
def get_label(ctx: RequestContext, label_id: str) -> LabelOut:
    return LabelOut.of(wiring.labels().get(label_id))


@endpoint(
    bp,
    f"{BASE}/{{label_id}}",
    "PUT",
    summary="Change a label",
    tags=TAGS,
    scope=WRITE,
    body=LabelUpdate,
    response=LabelOut,
)
def update_label(ctx: RequestContext[LabelUpdate], label_id: str) -> LabelOut:
    b = ctx.body
    label = wiring.labels().update(
        ctx.user,
        label_id,
        category=b.category,
        value=b.value,
        color=b.color,
        description=b.description,
    )
    return LabelOut.of(label)


@endpoint(
    bp,
    f"{BASE}/{{label_id}}",
    "DELETE",
    summary="Delete a label (off every resource)",
    tags=TAGS,
    scope=WRITE,
    response=LabelDeletedOut,
)
def delete_label(ctx: RequestContext, label_id: str) -> LabelDeletedOut:
    removed = wiring.labels().delete(ctx.user, label_id)
    return LabelDeletedOut(label_id=label_id, removed_from=removed)
