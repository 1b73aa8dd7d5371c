"""Import of clients, open tasks and plans from CSV or XLSX (amoCRM, Bitrix24 or hand-made), with a
preview and a report of rejected rows; see ``importer.service``."""
