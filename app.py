"""Resource Reserver: creates the Chalice app, registers blueprints and handlers; nothing else."""

from __future__ import annotations

from chalice.app import Chalice

from chalicelib.api import system
from chalicelib.api.middleware import reshape_errors

app = Chalice(app_name="resource-reserver")
app.experimental_feature_flags.update(["WEBSOCKETS"])
app.register_middleware(reshape_errors, "http")

app.register_blueprint(system.bp)
