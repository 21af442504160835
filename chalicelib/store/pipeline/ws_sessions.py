"""What the WebSocket session check reads of accounts: users, the access-token deny-list and
the sign-ins (refresh families, the tokens' `sid`) the sockets belong to.

One consistent BatchGetItem for a whole fan-out (every target's user and token), not one
read per socket: the same items the REST authenticator reads (store/accounts/tokens.py), so
a socket and a request agree on whether a sign-in holds. Read-only; keys come from the
accounts store's own builders.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from chalicelib.domain.pipeline.connections import AccountState, SessionFacts
from chalicelib.domain.timeutil import epoch_seconds
from chalicelib.store.accounts.tokens import (
    DeniedTokenItem,
    RefreshFamilyItem,
    deny_pk,
    family_sk,
    user_key,
)
from chalicelib.store.accounts.users import UserItem, to_domain, user_pk
from chalicelib.store.table import TableItem, bind


class AccountFacts:
    def load(
        self,
        user_ids: Iterable[str],
        token_ids: Iterable[str],
        now: datetime,
        sign_ins: Iterable[tuple[str, str]] = (),
    ) -> SessionFacts:
        bind()
        users, tokens, families = set(user_ids), set(token_ids), set(sign_ins)
        keys = [user_key(u) for u in sorted(users)] + [(deny_pk(t), "DENY") for t in sorted(tokens)]
        keys += [(user_pk(user), family_sk(sid)) for user, sid in sorted(families)]
        if not keys:
            return SessionFacts()
        accounts: dict[str, AccountState] = {}
        denied: set[str] = set()
        live_sign_ins: set[str] = set()
        for item in TableItem.batch_get(keys, consistent_read=True):
            if isinstance(item, RefreshFamilyItem):
                if item.live(now):
                    live_sign_ins.add(item.family_id)
            elif isinstance(item, DeniedTokenItem):
                if int(item.expires_at or 0) > epoch_seconds(now):
                    denied.add(item.PK.removeprefix("JTI#"))
            elif isinstance(item, UserItem) and item.user_id in users:
                user = to_domain(item)
                accounts[user.user_id] = AccountState(
                    user_id=user.user_id,
                    disabled=user.disabled,
                    token_version=user.token_version,
                    roles=tuple(sorted(r.value for r in user.effective_roles)),
                )
        ended = frozenset(sid for _, sid in families) - live_sign_ins
        return SessionFacts(accounts, frozenset(denied), ended)
