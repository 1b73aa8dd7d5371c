"""CRM integrations (amoCRM, Bitrix24) behind one interface (``crm/base.py``)."""
