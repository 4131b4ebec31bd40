"""The role permission matrix as administrators see and change it."""

from __future__ import annotations

from sqlalchemy import delete, select

from ...data import models as m
from ...domain.permissions import DEFAULT_MATRIX, LOCKED_GRANTS, Perm, Role
from ...errors import PermissionDenied
from ..base import Actor, ServiceBase


class PermissionService(ServiceBase):
    """Read and change which role holds which permission."""

    def matrix(self, actor: Actor) -> dict[Role, frozenset[Perm]]:
        """The stored matrix, every role present (possibly with no permissions)."""
        with self._read(actor, Perm.PERMISSIONS_MANAGE) as session:
            rows = session.execute(select(m.RolePermission)).scalars()
            found: dict[Role, set[Perm]] = {role: set() for role in Role}
            known = {p.value for p in Perm}
            for row in rows:
                if row.permission in known and row.role in Role._value2member_map_:
                    found[Role(row.role)].add(Perm(row.permission))
            return {role: frozenset(perms) for role, perms in found.items()}

    def set_grant(self, actor: Actor, role: Role, perm: Perm, granted: bool) -> None:
        """Grant or take away one permission of one role."""
        if not granted and (role, perm) in LOCKED_GRANTS:
            raise PermissionDenied(
                f"Administrators always keep '{perm.label}', so nobody is locked out."
            )
        with self._write(actor, Perm.PERMISSIONS_MANAGE) as uow:
            session = uow.session
            row = session.get(m.RolePermission, (role.value, perm.value))
            if granted and row is None:
                session.add(m.RolePermission(role=role.value, permission=perm.value))
            elif not granted and row is not None:
                session.delete(row)
            else:
                return
            uow.audit(
                "permission.grant" if granted else "permission.revoke",
                "role_permission",
                f"{role.value}:{perm.value}",
            )

    def reset_role(self, actor: Actor, role: Role) -> None:
        """Put one role back to the default permissions."""
        with self._write(actor, Perm.PERMISSIONS_MANAGE) as uow:
            session = uow.session
            session.execute(delete(m.RolePermission).where(m.RolePermission.role == role.value))
            for perm in DEFAULT_MATRIX[role]:
                session.add(m.RolePermission(role=role.value, permission=perm.value))
            uow.audit("permission.reset", "role_permission", role.value)
