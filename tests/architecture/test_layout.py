"""The client's layout: platform/ is a source root whose apps never shadow other modules."""

import importlib.metadata
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE_ROOT = ROOT / "platform"
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def test_platform_folder_is_a_source_root_not_a_package():
    assert not (SOURCE_ROOT / "__init__.py").exists()


def test_standard_library_platform_module_is_the_one_imported_after_django_starts():
    import platform
    import uuid

    import django.conf

    assert django.conf.settings.configured
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert Path(platform.__file__).resolve().parent == stdlib
    assert platform.system()  # the function uuid and Celery need
    assert uuid.uuid4().version == 4


def test_manage_py_process_keeps_stdlib_platform_and_imports_celery():
    code = (
        "import platform, uuid, celery; from config import celery_app; "
        "print(platform.__file__); print(platform.system()); print(celery_app.main)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    module_file, system, app_name = result.stdout.split()[-3:]
    assert Path(module_file).resolve().parent == Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert system == "Linux"
    assert app_name == "approval_platform"


def _top_level_names() -> list[str]:
    return sorted(
        p.name for p in SOURCE_ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists() or p.suffix == ".py"
    )


def test_no_app_or_module_under_platform_collides_with_stdlib_or_an_installed_distribution():
    names = [n.removesuffix(".py") for n in _top_level_names()]
    assert {"accounts", "designer", "rules", "runtime", "supervision", "config"} <= set(names)
    installed = set(importlib.metadata.packages_distributions())  # top-level import names
    distributions = {d.metadata["Name"].lower().replace("-", "_") for d in importlib.metadata.distributions()}
    for name in names:
        assert name not in sys.stdlib_module_names, f"platform/{name} 与标准库模块同名"
        assert name not in installed, f"platform/{name} 与已安装软件包的模块同名"
        assert name not in distributions, f"platform/{name} 与已安装的发行包同名"


def test_every_app_has_apps_py_with_a_chinese_verbose_name():
    from django.apps import apps

    for label in ["accounts", "workdays", "rules", "designer", "runtime", "supervision"]:
        config = apps.get_app_config(label)
        assert (SOURCE_ROOT / label / "apps.py").exists()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(config.verbose_name)), label


def test_import_direction_contract_is_declared_in_the_designed_order():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = config["contracts"][0]["layers"]
    assert layers.index("supervision") < layers.index("runtime") < layers.index("designer") < layers.index("rules")
    assert layers.index("rules") < layers.index("accounts")
    assert layers[-1] == "core"


def test_import_direction_contract_holds():
    result = subprocess.run(
        [LINT_IMPORTS, "--config", "pyproject.toml"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**__import__("os").environ, "PYTHONPATH": str(SOURCE_ROOT)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_direction_contract_catches_a_backwards_import(tmp_path):
    """The contract is not vacuous: an import from rules up into runtime breaks it."""
    import shutil

    copy = tmp_path / "platform"
    shutil.copytree(SOURCE_ROOT, copy, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    (copy / "rules" / "backwards.py").write_text("import runtime.views  # noqa\n")
    result = subprocess.run(
        [LINT_IMPORTS, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**__import__("os").environ, "PYTHONPATH": str(copy)},
    )
    assert result.returncode != 0
    assert "rules.backwards" in result.stdout
