"""Labels: items, keys and conditional writes.

Items (single table, see docs/catalog-groups.md):
- label:       `LABELS` / `LABEL#<id>` -> category, value, color (one partition: the label
               list, its categories and the suggestions read it in one query; at most
               `MAX_LABELS`)
- unique name: `LABEL_NAME#<category:value casefolded>` / `LABEL_NAME` -> label_id
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain.catalog.labels import Label, label_not_found, name_key
from chalicelib.domain.errors import Conflict
from chalicelib.store import audit_stamp
from chalicelib.store.table import TableItem, bind
from chalicelib.store.transact import Tx

LABELS_PK = "LABELS"
NAME_SK = "LABEL_NAME"


def label_sk(label_id: str) -> str:
    return f"LABEL#{label_id}"


def name_pk(label: Label) -> str:
    return f"LABEL_NAME#{name_key(label.category, label.value)}"


class LabelItem(TableItem, discriminator="label"):  # type: ignore[call-arg]
    label_id = UnicodeAttribute(null=True)
    category = UnicodeAttribute(null=True)
    value = UnicodeAttribute(null=True)
    color = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)


class LabelNameItem(TableItem, discriminator="label_name"):  # type: ignore[call-arg]
    label_id = UnicodeAttribute()


def _item(label: Label) -> LabelItem:
    return LabelItem(
        PK=LABELS_PK,
        SK=label_sk(label.label_id),
        label_id=label.label_id,
        category=label.category,
        value=label.value,
        color=label.color,
        description=label.description,
    )


def _label(item: LabelItem) -> Label:
    return Label(
        label_id=str(item.label_id),
        category=str(item.category),
        value=str(item.value),
        color=item.color or "",
        description=item.description or "",
    )


def _taken(label: Label) -> Conflict:
    return Conflict(
        f"a label '{label.name}' already exists",
        code="label_name_taken",
        details={"name": label.name},
    )


class LabelStore:
    def all(self) -> list[Label]:
        bind()
        labels = [_label(i) for i in LabelItem.query(LABELS_PK, consistent_read=True)]
        return sorted(labels, key=lambda lb: (lb.category.casefold(), lb.value.casefold()))

    def get(self, label_id: str) -> Label:
        bind()
        try:
            return _label(LabelItem.get(LABELS_PK, label_sk(label_id), consistent_read=True))
        except LabelItem.DoesNotExist:
            raise label_not_found(label_id) from None

    def save(self, old: Label | None, new: Label) -> Label:
        """Create (old None) or replace; the unique name moves in the same transaction."""
        tx = Tx()
        cond = LabelItem.PK.does_not_exist() if old is None else LabelItem.PK.exists()
        tx.put(audit_stamp.stamp(_item(new)), cond, "label")
        tx.on_fail("label", lambda: label_not_found(new.label_id))
        if old is None or name_pk(old) != name_pk(new):
            owned = LabelNameItem(PK=name_pk(new), SK=NAME_SK, label_id=new.label_id)
            tx.put(owned, LabelNameItem.PK.does_not_exist(), "name")
            tx.on_fail("name", lambda: _taken(new))
            if old is not None:
                gone = LabelNameItem(PK=name_pk(old), SK=NAME_SK)
                tx.delete(gone, LabelNameItem.label_id == old.label_id, "old_name")
        tx.commit()
        return new

    def delete(self, label: Label) -> None:
        tx = Tx()
        tx.delete(LabelItem(PK=LABELS_PK, SK=label_sk(label.label_id)), None, "label")
        tx.delete(LabelNameItem(PK=name_pk(label), SK=NAME_SK), None, "name")
        tx.commit()
