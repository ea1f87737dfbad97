"""The build step pyproject.toml cannot declare: compile the text catalogs.

`conversations/locale/{sv,en}/LC_MESSAGES/idesluss.po` become `.mo` files inside the built
package (a wheel, the Docker image), with Babel's checks; a catalog with an error fails the
build. An editable install (`pip install -e .`) and a plain clone need no build step:
conversations/i18n.py compiles a `.po` in memory when no `.mo` as new as it exists.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in Path("conversations/locale").glob("*/LC_MESSAGES/*.po"):
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name)
            problems = [f"{po}:{m.lineno}: {e}" for m, errors in catalog.check() for e in errors]
            if problems:
                raise SystemExit("\n".join(problems))
            target = Path(self.build_lib) / po.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as out:
                write_mo(out, catalog, use_fuzzy=False)


setup(cmdclass={"build_py": BuildWithCatalogs})
