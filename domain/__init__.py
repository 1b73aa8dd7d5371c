"""Business rules of РОП-ассистент.

Plain functions over plain data: nothing here imports aiogram or SQLAlchemy, so every rule can be read
and tested on its own. Handlers and jobs load data, call a rule, render the result and send it.
"""
