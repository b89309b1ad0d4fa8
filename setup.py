"""Copies the repository's loader/ files into the tools' package when a wheel is built.

loader/ stays their source of truth; an installed desk_cti_tools reads them from
desk_cti_tools/_assets/loader (desk_cti_tools.assets). Everything else is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py



class BuildWithLoader(build_py):
    def run(self):
        super().run()
        source = Path(__file__).resolve().parent / "loader"
        dest = Path(self.build_lib) / "desk_cti_tools" / "_assets" / "loader"
        dest.mkdir(parents=True, exist_ok=True)
        for path in sorted(source.iterdir()):
            if path.suffix in (".js", ".mjs"):  # the loader's scripts and modules
                shutil.copy2(path, dest / path.name)


setup(cmdclass={"build_py": BuildWithLoader})
