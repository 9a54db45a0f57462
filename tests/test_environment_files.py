"""requirements.txt, environment.yml and pyproject.toml agree."""

import re

import tomllib
import yaml
from packaging.requirements import Requirement

from tests.conftest import ROOT


def _pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"'{line}' is not an exact pin (name==version)"
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def requirements_pins():
    return _pins((ROOT / "requirements.txt").read_text().splitlines())


def environment_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    return _pins(pip_section)


def test_requirements_and_environment_have_the_same_pins():
    req, env = requirements_pins(), environment_pins()
    assert set(req) - set(env) == set(), f"only in requirements.txt: {set(req) - set(env)}"
    assert set(env) - set(req) == set(), f"only in environment.yml: {set(env) - set(req)}"
    differ = {k: (req[k], env[k]) for k in req if req[k] != env[k]}
    assert not differ, f"versions differ (requirements, environment): {differ}"


def test_pins_satisfy_the_package_ranges():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    req = requirements_pins()
    for spec in project["dependencies"] + project["optional-dependencies"]["dev"]:
        dep = Requirement(spec)
        name = re.sub(r"[-_.]+", "-", dep.name).lower()
        assert name in req, f"{dep.name} is a dependency but has no pin in requirements.txt"
        assert dep.specifier.contains(req[name]), f"pin {name}=={req[name]} is outside '{spec}'"
