"""A SASL_SSL listener for the local broker, where every client logs in with SCRAM over
TLS and may do only what the topic catalogue allows it.

- A CA and a broker certificate for 127.0.0.1 are made at the first start
  (:mod:`parley_devstack.certificates`), in PEM: Kafka 4 reads PEM key and trust stores.
- SCRAM-SHA-512 users are created when the log directory is formatted
  (``--add-scram``): ``admin``, the super user the stack itself and the ``parley``
  commands use, and one user per service (``parley-<service>``).
- The StandardAuthorizer allows nothing but what ACLs grant; the services' ACLs come
  from the catalogue (:mod:`parley_devstack.kafka_acls`), applied once the broker is up.

The controller listener stays PLAINTEXT on loopback: SCRAM cannot log in there (its
credentials live in the log the controller serves), so the broker reaches its
controller as ``User:ANONYMOUS``, which has to be a super user as well. That is safe
only because the controller port is bound to 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

from parley_bus import KafkaConnection
from parley_contracts.access import grants, kafka_services

from parley_devstack.certificates import ServerCertificate, make_server_certificate
from parley_devstack.kafka_acls import create_acls
from parley_devstack.passwords import kept_passwords
from parley_devstack.ports import LOOPBACK

MECHANISM = "SCRAM-SHA-512"
ADMIN = "admin"
LISTENER = "SASL_SSL"


def service_user(service: str) -> str:
    """The Kafka user a service logs in as on the local broker."""
    return f"parley-{service}"


def service_principal(service: str) -> str:
    return f"User:{service_user(service)}"


class KafkaListenerSecurity:
    """The files (certificates, passwords) live in ``directory`` and are made once:
    a broker whose data is kept finds the same users the formatter created."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory).resolve()
        self.certificate = ServerCertificate.in_directory(self.directory)
        self._users_file = self.directory / "users.json"
        self._passwords: dict[str, str] = {}

    def prepare(self) -> None:
        """Make the certificates and the users' passwords unless they exist."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if not self.certificate.exists():
            self.certificate = make_server_certificate(self.directory, LOOPBACK)
        wanted = [ADMIN, *(service_user(s) for s in kafka_services())]
        # URL-safe tokens: the formatter splits its --add-scram values on commas.
        self._passwords = kept_passwords(self._users_file, wanted)

    def password(self, user: str) -> str:
        if not self._passwords:
            raise RuntimeError("KafkaListenerSecurity.prepare() has not been called")
        return self._passwords[user]

    def broker_properties(self, broker_port: int, controller_port: int) -> str:
        """Lines to append to ``server.properties``; they replace its PLAINTEXT
        listener (a later key wins in a properties file)."""
        admin = self.password(ADMIN)
        jaas = (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{ADMIN}" password="{admin}";'
        )
        return f"""\
# SASL_SSL for clients and between brokers; see parley_devstack.kafka_security.
listeners={LISTENER}://{LOOPBACK}:{broker_port},CONTROLLER://{LOOPBACK}:{controller_port}
advertised.listeners={LISTENER}://{LOOPBACK}:{broker_port}
inter.broker.listener.name={LISTENER}
listener.security.protocol.map=CONTROLLER:PLAINTEXT,{LISTENER}:SASL_SSL
sasl.enabled.mechanisms={MECHANISM}
sasl.mechanism.inter.broker.protocol={MECHANISM}
listener.name.{LISTENER.lower()}.{MECHANISM.lower()}.sasl.jaas.config={jaas}
ssl.keystore.type=PEM
ssl.keystore.location={self.certificate.keystore_file}
ssl.truststore.type=PEM
ssl.truststore.location={self.certificate.ca_file}
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:{ADMIN};User:ANONYMOUS
allow.everyone.if.no.acl.found=false
"""

    def format_options(self) -> list[str]:
        """``kafka-storage format`` options creating every user's SCRAM credential."""
        options: list[str] = []
        for user, password in self._passwords.items():
            options += ["--add-scram", f"{MECHANISM}=[name={user},password={password}]"]
        return options

    def connection(self, bootstrap_servers: str, user: str = ADMIN) -> KafkaConnection:
        return KafkaConnection(
            bootstrap_servers,
            security_protocol="SASL_SSL",
            sasl_mechanism=MECHANISM,
            sasl_username=user,
            sasl_password=self.password(user),
            ssl_ca_file=str(self.certificate.ca_file),
        )

    def environment(self, user: str = ADMIN) -> dict[str, str]:
        """The KAFKA_* variables (besides the servers) that log ``user`` in."""
        return {
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_SASL_MECHANISM": MECHANISM,
            "KAFKA_SASL_USERNAME": user,
            "KAFKA_SASL_PASSWORD": self.password(user),
            "KAFKA_SSL_CA_FILE": str(self.certificate.ca_file),
        }

    def service_environments(self) -> dict[str, dict[str, str]]:
        """Per service, the variables logging it in as its own user."""
        return {s: self.environment(service_user(s)) for s in kafka_services()}

    async def grant_service_rights(self, bootstrap_servers: str) -> int:
        """Create the catalogue's ACLs for the services' users; return how many."""
        return await create_acls(self.connection(bootstrap_servers), grants(), service_principal)
