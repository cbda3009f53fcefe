"""Real plugin distributions, pip-installed into a temporary folder (never this venv), seen through the CLI."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator

import pytest

from tests.support import PluginSite, cli_env, run_cli, throwaway_plugins

PLUGIN_MODEL = textwrap.dedent(
    """\
    from asr_registry.plugins.hookspecs import hookimpl
    from asr_registry.catalog.schema import Claim, ModelEntry, ModelSource, Source

    MODEL = "{name}"


    @hookimpl
    def register_models(register):
        register(
            ModelEntry(
                name=MODEL, status="published", source=ModelSource(hf="acme/es-telephony-ctc"),
                family="ctc", decoders=("ctc",), size="large", languages=("es",),
                domains=("telephony",), parameters=120_000_000, precision="bf16",
                claims=(Claim(metric="wer", value=3.0, dataset="acme-calls", language="es", source="acme-card"),),
            ),
            sources={{"acme-card": Source("acme-card", "ACME model card", "2026-11-01")}},
        )
    """
)
PLUGIN_COMMAND = textwrap.dedent(
    """\

    @hookimpl
    def register_commands(cli):
        import click

        @cli.command("acme-hello")
        def hello():
            click.echo("hello from acme")
    """
)
DATASET_PLUGIN = textwrap.dedent(
    """\
    from asr_registry.plugins.hookspecs import hookimpl
    from asr_registry.catalog.schema import Dataset


    @hookimpl
    def register_datasets(register):
        register(Dataset(name="shared", split="test", manifest="/nowhere.jsonl", language="en",
                         description="{description}"))
    """
)
PLUGINS = {
    "acme": PLUGIN_MODEL.format(name="acme_es_telephony_ctc") + PLUGIN_COMMAND,
    "acme_dup": PLUGIN_MODEL.format(name="acme_es_telephony_ctc"),
    "acme_broken": "raise RuntimeError('this plugin is broken on import')\n",
    "acme_exit": "import sys\n\nsys.exit(3)\n",
    "acme_list": (
        "from asr_registry.plugins.hookspecs import hookimpl\n\n\n@hookimpl\ndef register_commands(cli):\n"
        "    import click\n\n    @cli.command('list')\n    def hijack():\n        click.echo('hijacked')\n"
    ),
    "acme_ds_a": DATASET_PLUGIN.format(description="from a"),
    "acme_ds_b": DATASET_PLUGIN.format(description="from b"),
    "acme_hookfail": (
        "from asr_registry.plugins.hookspecs import hookimpl\n\n\n@hookimpl\ndef register_models(register):\n"
        "    raise ValueError('hook exploded')\n"
    ),
}


@pytest.fixture(scope="module")
def installed_plugins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PluginSite]:
    with throwaway_plugins(tmp_path_factory.mktemp("plugins"), PLUGINS) as site:
        yield site


def _run(site: PluginSite, plugins: str, *args: str):
    return run_cli(*args, env=site.env(ASR_REGISTRY_LOAD_PLUGINS=plugins))


def test_plugin_model_appears_in_list_show_and_select(installed_plugins: PluginSite) -> None:
    listed = _run(installed_plugins, "acme", "list", "--language", "es", "--json")
    assert listed.returncode == 0, listed.stderr
    entry = next(m for m in json.loads(listed.stdout) if m["name"] == "acme_es_telephony_ctc")
    assert entry["plugin"] == "acme"

    shown = _run(installed_plugins, "acme", "show", "acme_es_telephony_ctc")
    assert shown.returncode == 0, shown.stderr
    assert "ACME model card, 2026-11-01" in shown.stdout and "acme-calls" in shown.stdout

    chosen = _run(installed_plugins, "acme", "select", "--language", "es", "--domain", "telephony", "--json")
    assert chosen.returncode == 0, chosen.stderr
    assert json.loads(chosen.stdout)["choice"]["model"] == "acme_es_telephony_ctc"


def test_plugin_adds_a_command_and_is_listed_with_version_and_hooks(installed_plugins: PluginSite) -> None:
    assert _run(installed_plugins, "acme", "acme-hello").stdout.strip() == "hello from acme"
    infos = {i["name"]: i for i in json.loads(_run(installed_plugins, "acme", "plugins", "--json").stdout)["plugins"]}
    assert infos["acme"]["version"] == "1.2.3"
    assert infos["acme"]["hooks"] == ["register_commands", "register_models"] and infos["acme"]["models"] == 1
    assert infos["builtin-catalog"]["builtin"] is True


def test_broken_plugins_warn_and_everything_else_works(installed_plugins: PluginSite) -> None:
    result = _run(installed_plugins, "acme,acme_broken,acme_hookfail", "list", "--language", "es")
    assert result.returncode == 0
    assert (
        "plugin 'acme_broken' failed to load and is skipped: RuntimeError: this plugin is broken on import"
        in result.stderr
    )
    assert "plugin 'acme_hookfail' failed in register_models: ValueError: hook exploded" in result.stderr
    assert "Traceback" not in result.stderr
    assert "acme_es_telephony_ctc" in result.stdout and "stt_es_fastconformer_hybrid_large_pc" in result.stdout
    infos = {
        i["name"]: i for i in json.loads(_run(installed_plugins, "acme_broken", "plugins", "--json").stdout)["plugins"]
    }
    assert infos["acme_broken"]["error"].startswith("RuntimeError")


def test_two_plugins_registering_one_name_is_an_error_naming_both(installed_plugins: PluginSite) -> None:
    result = _run(installed_plugins, "acme,acme_dup", "list")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: model 'acme_es_telephony_ctc' is registered twice: by plugin 'acme' and by plugin 'acme_dup'"
    )


def test_load_plugins_variable_limits_what_loads(installed_plugins: PluginSite) -> None:
    result = _run(installed_plugins, "", "list", "--json")
    assert result.returncode == 0
    plugins = {m["plugin"] for m in json.loads(result.stdout)}
    assert "acme" not in plugins and "builtin" in plugins


def test_throwaway_plugins_never_reach_the_environment_running_the_tests(installed_plugins: PluginSite) -> None:
    from asr_registry.plugins.entrypoints import entry_points

    # What a user running asr-registry meanwhile sees: no PYTHONPATH, so none of the throwaway plugins.
    plain = run_cli("plugins", "--json", env=cli_env())
    assert plain.returncode == 0, plain.stderr
    assert not {i["name"] for i in json.loads(plain.stdout)["plugins"]} & set(PLUGINS)
    assert not {p.name for p in entry_points("asr_registry")} & set(PLUGINS)  # this interpreter's sys.path
    # The entry-point scan finds them in the site folder, the way PYTHONPATH puts it on sys.path.
    assert {p.name for p in entry_points("asr_registry", [str(installed_plugins.path)])} == set(PLUGINS)


def test_a_plugin_exiting_at_import_is_reported_and_skipped(installed_plugins: PluginSite) -> None:
    result = _run(installed_plugins, "acme,acme_exit", "list", "--language", "es")
    assert result.returncode == 0, result.stderr
    assert "plugin 'acme_exit' failed to load and is skipped: it called sys.exit(3)" in result.stderr
    assert "acme_es_telephony_ctc" in result.stdout
    version = _run(installed_plugins, "acme_exit", "--version")
    assert version.returncode == 0 and "version" in version.stdout and version.stderr == ""


def test_a_plugin_command_cannot_replace_a_built_in(installed_plugins: PluginSite) -> None:
    result = _run(installed_plugins, "acme_list", "list", "--language", "es")
    assert result.returncode == 0, result.stderr
    assert "hijacked" not in result.stdout and "stt_es_fastconformer_hybrid_large_pc" in result.stdout
    helped = _run(installed_plugins, "acme_list", "--help")
    assert "plugin 'acme_list' tried to replace the command 'list'; refused" in helped.stderr


def test_an_unknown_plugin_name_to_load_is_a_warning_naming_the_installed_ones(installed_plugins: PluginSite) -> None:
    result = _run(installed_plugins, "acmee", "list", "--language", "es")
    assert result.returncode == 0
    assert "ASR_REGISTRY_LOAD_PLUGINS names acmee, which no installed plugin is (installed: acme," in result.stderr


def test_hooks_run_in_the_documented_order_so_the_first_plugin_wins_a_dataset(installed_plugins: PluginSite) -> None:
    result = _run(installed_plugins, "acme_ds_b,acme_ds_a", "plugins", "--json")
    assert result.returncode == 0, result.stderr
    shared = next(d for d in json.loads(result.stdout)["datasets"] if d["name"] == "shared:test")
    assert (shared["plugin"], shared["description"]) == ("acme_ds_a", "from a")
    assert "dataset 'shared:test' from plugin 'acme_ds_b' ignored: already registered by 'acme_ds_a'" in result.stderr
