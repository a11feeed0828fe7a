"""Kafka ACLs made from the catalogue's grants (:mod:`parley_contracts.access`).

aiokafka has no ACL API, but its protocol module has the CreateAcls request, which
carries any number of ACLs in one round trip. Creating an ACL that exists already is
no error, so applying them again after a restart changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from aiokafka.client import AIOKafkaClient
from aiokafka.errors import for_code
from aiokafka.protocol.admin import CreateAclsRequest_v1
from aiokafka.protocol.api import Request
from parley_bus import KafkaConnection
from parley_contracts.access import Grant, Operation, Resource

from parley_devstack.errors import DevstackError

# Kafka's protocol codes (org.apache.kafka.common.acl / resource).
_RESOURCE_TYPES = {Resource.TOPIC: 2, Resource.GROUP: 3}
_OPERATIONS = {Operation.READ: 3, Operation.WRITE: 4}
_LITERAL = 3
_ALLOW = 3
_ANY_HOST = "*"
_NO_ERROR = 0

AclCreation = tuple[int, str, int, str, str, int, int]


class AclCreationError(DevstackError):
    """The broker refused to create some ACLs."""


class _CreateAcls(Request[CreateAclsRequest_v1]):  # type: ignore[misc]  # untyped in aiokafka
    """CreateAcls v1 (v0 is gone from Kafka 4), with every creation in one request."""

    API_KEY = 30

    def __init__(self, creations: list[AclCreation]) -> None:
        self._creations = creations

    def build(self, request_struct_class: type[CreateAclsRequest_v1]) -> CreateAclsRequest_v1:
        return request_struct_class(self._creations)


def acl_creations(grants: Iterable[Grant], principal: Callable[[str], str]) -> list[AclCreation]:
    """One ALLOW ACL per grant, for the literal topic or group it names."""
    return [
        (
            _RESOURCE_TYPES[grant.resource],
            grant.name,
            _LITERAL,
            principal(grant.service),
            _ANY_HOST,
            _OPERATIONS[grant.operation],
            _ALLOW,
        )
        for grant in grants
    ]


async def create_acls(
    connection: KafkaConnection, grants: Iterable[Grant], principal: Callable[[str], str]
) -> int:
    """Create an ACL for every grant (``principal`` names a service's Kafka principal,
    e.g. ``User:parley-stt``) as the user of ``connection``; return how many."""
    creations = acl_creations(grants, principal)
    client = AIOKafkaClient(**connection.client_options())
    try:
        await client.bootstrap()
        response = await client.send(client.get_random_node(), _CreateAcls(creations))
    finally:
        await client.close()
    failures = [
        f"{creation[3]} on {creation[1]}: {message or for_code(code).__name__}"
        for creation, (code, message) in zip(creations, response.creation_responses, strict=True)
        if code != _NO_ERROR
    ]
    if failures:
        raise AclCreationError(f"Kafka refused ACLs: {'; '.join(failures)}")
    return len(creations)
