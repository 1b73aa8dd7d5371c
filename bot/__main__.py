"""``python -m bot``: aiogram's models are built on first use (bot/lean.py) unless ROP_LEAN_IMPORTS=0."""

from bot import lean

if lean.enabled():
    lean.defer_aiogram_models()  # before anything imports aiogram

from bot.cli import main

raise SystemExit(main())
