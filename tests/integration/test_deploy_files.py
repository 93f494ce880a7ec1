"""The deployment files parse and say what deploy/README.md promises. No Docker engine or
cluster runs here, so this checks the files themselves: migrations run once before any
replica, replicas sit behind nginx and hold no state of their own, readiness is ``/readyz``,
nothing runs as root, and every command they run exists in the project."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from service import cli
from service.app import create_app
from service.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def k8s_documents() -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        documents += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return documents


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [d for d in k8s_documents() if d["kind"] == kind]


def app_paths() -> set[str]:
    app = create_app(Settings(database_url="postgresql://unused/unused"))
    return set(app.openapi()["paths"])


def test_compose_migrates_once_before_the_replicas_behind_nginx() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"postgres", "migrate", "api", "nginx"} <= set(services)
    migrate, api, nginx = services["migrate"], services["api"], services["nginx"]
    assert migrate["command"] == ["cylinders", "migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert api["deploy"]["replicas"] >= 2
    assert "ports" not in api  # reached only through nginx
    assert api["read_only"] is True  # no state kept in a replica
    assert nginx["depends_on"]["api"]["condition"] == "service_healthy"
    assert migrate["image"] == api["image"]
    # nginx balances over the replicas by the service's name
    assert re.search(r"server\s+api:8000", (DEPLOY / "nginx.conf").read_text(encoding="utf-8"))


def test_dockerfile_is_multi_stage_and_runs_as_a_non_root_user() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) >= 2
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert "service.app:create_app" in text


def test_kubernetes_deployment_job_autoscaler_and_disruption_budget() -> None:
    (deployment,) = of_kind("Deployment")
    (job,) = of_kind("Job")
    (hpa,) = of_kind("HorizontalPodAutoscaler")
    (pdb,) = of_kind("PodDisruptionBudget")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["cylinders", "migrate"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    assert hpa["spec"]["minReplicas"] >= 2
    labels = deployment["spec"]["selector"]["matchLabels"]
    assert pdb["spec"]["selector"]["matchLabels"] == labels


@pytest.mark.parametrize("path", ["/readyz", "/healthz"])
def test_the_probed_paths_exist_in_the_service(path: str) -> None:
    assert path in app_paths()


def test_the_migration_command_the_deployments_run_exists() -> None:
    result = CliRunner().invoke(cli.app, ["migrate", "--help"])
    assert result.exit_code == 0, result.output
