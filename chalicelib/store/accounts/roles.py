"""Custom roles and their assignment to users, every invariant a condition on the write.

Keys:
  ROLE#<name> / ROLE          a custom role (GSI1: ROLES / <name> for the list); `version`
                              moves at every edit (an editor's PUT/PATCH names the version
                              it saw), `holders` counts the users and clients holding it
  USER#<id> / PROFILE         the user's `custom_roles` string set (store/accounts/users.py)

Assigning a role is ONE transaction: the holder's set gains the name (on the condition it
did not hold it) and the role's `holders` goes up (on the condition the role exists).
Deleting a role is conditional on `holders = 0`, so a role being assigned and a role being
deleted cannot both win: no user is ever left holding a role that no longer exists.
"""

from __future__ import annotations

from collections.abc import Iterable

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition, size
from pynamodb.expressions.update import Action

from chalicelib.domain.accounts.accounts import User
from chalicelib.domain.accounts.roles import MAX_CUSTOM_ROLES_PER_HOLDER, CustomRole, RoleChanges
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.timeutil import iso_z, parse_instant
from chalicelib.store import audit_stamp
from chalicelib.store.accounts.base import failed_positions, transaction
from chalicelib.store.accounts.users import UserItem, to_domain, user_pk
from chalicelib.store.table import TableItem, bind

ROLE_SK = "ROLE"
ROLES_INDEX_PK = "ROLES"
_CONDITION_FAILED = "ConditionalCheckFailedException"


def role_pk(name: str) -> str:
    return f"ROLE#{name}"


class RoleItem(TableItem, discriminator="role"):
    role_id = UnicodeAttribute()  # the name: the audit log names the entity by `<type>_id`
    description = UnicodeAttribute(default="")
    scopes = UnicodeSetAttribute(null=True)
    version = NumberAttribute(default=1)
    holders = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    created_by = UnicodeAttribute()


def role_from_item(item: RoleItem) -> CustomRole:
    return CustomRole(
        name=item.role_id,
        description=item.description or "",
        scopes=frozenset(item.scopes or ()),
        version=int(item.version or 1),
        created_at=parse_instant(item.created_at),
        updated_at=parse_instant(item.updated_at),
        created_by=item.created_by,
        holders=int(item.holders or 0),
    )


def role_not_found(name: str) -> NotFound:
    return NotFound(f"no custom role '{name}'", code="role_not_found", details={"role": name})


def role_key(name: str) -> RoleItem:
    return RoleItem(PK=role_pk(name), SK=ROLE_SK)


def holders_actions(delta: int) -> list[Action]:
    return [RoleItem.holders.add(delta), *audit_stamp.stamp_actions()]


def may_take(held: UnicodeSetAttribute, name: str) -> Condition:
    """A holder's set may gain `name`: not held yet, and fewer than the maximum held."""
    not_held = held.does_not_exist() | ~held.contains(name)
    fewer: Condition = size(held) < MAX_CUSTOM_ROLES_PER_HOLDER  # type: ignore[no-untyped-call]
    allowed: Condition = not_held & (held.does_not_exist() | fewer)
    return allowed


def too_many_roles() -> Conflict:
    return Conflict(
        f"a user or client holds at most {MAX_CUSTOM_ROLES_PER_HOLDER} custom roles",
        code="too_many_roles",
        details={"max": MAX_CUSTOM_ROLES_PER_HOLDER},
    )


class RoleStore:
    def create(self, role: CustomRole) -> None:
        bind()
        item = RoleItem(
            PK=role_pk(role.name),
            SK=ROLE_SK,
            GSI1PK=ROLES_INDEX_PK,
            GSI1SK=role.name,
            role_id=role.name,
            description=role.description,
            scopes=set(role.scopes),
            version=role.version,
            holders=0,
            created_at=iso_z(role.created_at),
            updated_at=iso_z(role.updated_at),
            created_by=role.created_by,
        )
        try:
            audit_stamp.stamp(item).save(condition=RoleItem.PK.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code == _CONDITION_FAILED:
                raise Conflict(f"a role named '{role.name}' exists", code="role_exists") from exc
            raise

    def get(self, name: str) -> CustomRole | None:
        bind()
        try:
            return role_from_item(RoleItem.get(role_pk(name), ROLE_SK, consistent_read=True))
        except DoesNotExist:
            return None

    def require(self, name: str) -> CustomRole:
        role = self.get(name)
        if role is None:
            raise role_not_found(name)
        return role

    def all(self) -> list[CustomRole]:
        """Every custom role, by name (a deployment has a handful: paged through the index)."""
        bind()
        results = RoleItem.gsi1.query(ROLES_INDEX_PK)
        return [role_from_item(i) for i in results if isinstance(i, RoleItem)]

    def scopes_of(self, names: Iterable[str]) -> dict[str, frozenset[str]]:
        """The scopes of the named roles, in one consistent BatchGetItem (missing: absent)."""
        wanted = sorted(set(names))
        if not wanted:
            return {}
        bind()
        keys = [(role_pk(name), ROLE_SK) for name in wanted]
        return {
            item.role_id: frozenset(item.scopes or ())
            for item in TableItem.batch_get(keys, consistent_read=True)
            if isinstance(item, RoleItem)
        }

    def update(self, name: str, changes: RoleChanges, at: str) -> CustomRole:
        actions: list[Action] = [RoleItem.version.add(1), RoleItem.updated_at.set(at)]
        if changes.description is not None:
            actions.append(RoleItem.description.set(changes.description))
        if changes.scopes is not None:
            actions.append(RoleItem.scopes.set(set(changes.scopes)))
        condition = RoleItem.PK.exists()
        if changes.version is not None:
            condition &= RoleItem.version == changes.version
        item = role_key(name)
        try:
            item.update(actions=[*actions, *audit_stamp.stamp_actions()], condition=condition)
        except UpdateError as exc:
            if exc.cause_response_code == _CONDITION_FAILED:
                raise self._why_refused(name, changes.version) from exc
            raise
        return role_from_item(item)

    def delete(self, name: str, version: int | None) -> None:
        """Refused (409 role_in_use) while any user or client holds the role."""
        condition = RoleItem.PK.exists() & (
            RoleItem.holders.does_not_exist() | (RoleItem.holders == 0)
        )
        if version is not None:
            condition &= RoleItem.version == version
        item = role_key(name)
        try:
            # Stamp first (on the same conditions), so the REMOVE record names the deleter.
            item.update(actions=audit_stamp.delete_stamp_actions(), condition=condition)
            item.delete(condition=condition)
        except (UpdateError, DeleteError) as exc:
            if exc.cause_response_code == _CONDITION_FAILED:
                raise self._why_refused(name, version) from exc
            raise

    def _why_refused(self, name: str, version: int | None) -> Exception:
        """After a failed condition (never before a write): which condition failed."""
        current = self.get(name)
        if current is None:
            return role_not_found(name)
        if version is not None and current.version != version:
            return Conflict(
                "the role was changed since you read it: reload it and try again",
                code="version_conflict",
                details={"current_version": current.version},
            )
        return Conflict(
            f"the role '{name}' is held by {current.holders} user(s) or client(s): "
            "unassign it first",
            code="role_in_use",
            details={"holders": current.holders},
        )

    # --- users ------------------------------------------------------------------------------

    def assign_to_user(self, user_id: str, name: str) -> User:
        """Idempotent: assigning a role the user holds changes nothing."""
        user_key = UserItem(PK=user_pk(user_id), SK="PROFILE")
        try:
            with transaction() as tx:
                tx.update(
                    user_key,
                    actions=[UserItem.custom_roles.add({name}), *audit_stamp.stamp_actions()],
                    condition=UserItem.PK.exists() & may_take(UserItem.custom_roles, name),
                )
                tx.update(
                    role_key(name), actions=holders_actions(1), condition=RoleItem.PK.exists()
                )
        except TransactWriteError as exc:
            failed = failed_positions(exc)  # 0: the user, 1: the role
            if 1 in failed:
                raise role_not_found(name) from exc
            if 0 in failed:
                return self._held_or_refused(user_id, name, exc)
            raise
        return self._user(user_id)

    def unassign_from_user(self, user_id: str, name: str) -> User:
        """Idempotent: taking a role the user does not hold changes nothing."""
        try:
            with transaction() as tx:
                tx.update(
                    UserItem(PK=user_pk(user_id), SK="PROFILE"),
                    actions=[UserItem.custom_roles.delete({name}), *audit_stamp.stamp_actions()],
                    condition=UserItem.PK.exists() & UserItem.custom_roles.contains(name),
                )
                tx.update(
                    role_key(name), actions=holders_actions(-1), condition=RoleItem.PK.exists()
                )
        except TransactWriteError as exc:
            if 0 in failed_positions(exc):
                return self._user(user_id)  # not held (or no such user: 404 from _user)
            raise
        return self._user(user_id)

    def _held_or_refused(self, user_id: str, name: str, exc: Exception) -> User:
        user = self._user(user_id)
        if name in user.custom_roles:
            return user
        raise too_many_roles() from exc

    @staticmethod
    def _user(user_id: str) -> User:
        bind()
        try:
            return to_domain(UserItem.get(user_pk(user_id), "PROFILE", consistent_read=True))
        except DoesNotExist:
            raise NotFound("no such user", code="user_not_found") from None
