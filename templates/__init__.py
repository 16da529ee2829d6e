"""Card templates (`*.json.j2`). setup.py maps this folder to the `bot.templates` package, so the
installed package carries them; `bot.cards.env` loads them with Jinja's importlib-based PackageLoader."""
