"""The one packaging rule pyproject.toml cannot state: the top-level `templates/` folder is `bot.templates`.

Everything else (metadata, dependencies, package data) is in pyproject.toml. Mapping the folder as
a package, rather than copying it at build time, gives the same import path in a wheel
(`site-packages/bot/templates/`) and in an editable install (setuptools' editable finder maps
`bot.templates` to the checkout's `templates/`), so `bot.cards.env` loads templates the same way
in both. See docs/architecture.md, "Packaging".
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages(include=["bot", "bot.*", "handlers", "handlers.*"]), "bot.templates"],
    package_dir={"bot.templates": "templates"},
)
