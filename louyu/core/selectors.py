"""Reads of the jurisdiction tree, and its access helper."""

from typing import Any

from django.http import Http404

from louyu.core.models import Node


def get_node_for_user(user: Any, pk: int, *, write: bool = False) -> Node:
    """The node if the user may see it (or, with write=True, change it); 404 otherwise —
    also when it exists but is not the user's."""
    queryset = Node.objects.visible_to(user)
    if write and not user.has_perm("core.change_node"):
        raise Http404
    try:
        return queryset.get(pk=pk)
    except Node.DoesNotExist as exc:
        raise Http404 from exc
