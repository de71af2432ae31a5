from shomei_cli.cli.main import run

run()
